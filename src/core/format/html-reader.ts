/**
 * Someone else's HTML, read with htmlparser2 (HTML's own rules: void elements, raw-text elements such as
 * `<script>`, the implied closes of `<p>` and `<li>`, `</br>` as `<br>`), reported as the three things a
 * converter needs: an element opens, elements close, text. Two things are added to what htmlparser2 says:
 * the closes caused by one tag arrive together, and markup left unterminated at the end of the input
 * (`x <b class="y`, `<!-- z`) is handed back as written, so a converter can show it instead of losing it.
 *
 * Cost: linear in the input, except that htmlparser2's open-element stack makes very deep nesting quadratic
 * (a Matrix event is at most 64 KiB; the deepest nesting that fits reads in tens of milliseconds).
 */
import { Parser, type Handler } from 'htmlparser2';

export interface HtmlReader {
  openTag(tag: string, attributes: Readonly<Record<string, string>>): void;
  /**
   * The elements one tag closed, innermost first: an end tag with the elements it closes too
   * (`<b><i>x</b>`), the elements a new tag implies closed (`<p>a<p>`), or a void element (`<br>`).
   */
  closeTags(tags: readonly string[]): void;
  /** Text as written (entities not decoded); in raw-text elements, their whole content. */
  text(raw: string): void;
}

// recognizeSelfClosing: `<b/>` is an empty element, as the clients that write it mean it. Entities are left
// to the reader, which decides how strictly to decode them.
const OPTIONS = { decodeEntities: false, recognizeSelfClosing: true } as const;

/** Reads `html` into `reader`; returns the unterminated markup at its end, as written ('' when none). */
export function readHtml(html: string, reader: HtmlReader): string {
  const batcher = new CloseBatcher(reader);
  const parser = new TokenTrackingParser(batcher, OPTIONS);
  batcher.parser = parser;
  // write() without end(): every complete token is reported, and the rest stays unread.
  parser.write(html);
  batcher.finish();
  return html.slice(parser.consumed);
}

/**
 * htmlparser2's Parser, noting where the last complete token ended (stray end tags, which it reports to no
 * one, included). These are its tokenizer callbacks; `override` turns a change of their names in a new
 * htmlparser2 into a compile error.
 */
class TokenTrackingParser extends Parser {
  /** Index just after the last complete token. */
  consumed = 0;

  override ontext(start: number, endIndex: number): void {
    this.consumed = endIndex;
    super.ontext(start, endIndex);
  }
  override onopentagend(endIndex: number): void {
    this.consumed = endIndex + 1;
    super.onopentagend(endIndex);
  }
  override onselfclosingtag(endIndex: number): void {
    this.consumed = endIndex + 1;
    super.onselfclosingtag(endIndex);
  }
  override onclosetag(start: number, endIndex: number): void {
    this.consumed = endIndex + 1;
    super.onclosetag(start, endIndex);
  }
  override oncomment(start: number, endIndex: number, offset: number): void {
    this.consumed = endIndex + 1;
    super.oncomment(start, endIndex, offset);
  }
  override oncdata(start: number, endIndex: number, offset: number): void {
    this.consumed = endIndex + 1;
    super.oncdata(start, endIndex, offset);
  }
  override ondeclaration(start: number, endIndex: number): void {
    this.consumed = endIndex + 1;
    super.ondeclaration(start, endIndex);
  }
  override onprocessinginstruction(start: number, endIndex: number): void {
    this.consumed = endIndex + 1;
    super.onprocessinginstruction(start, endIndex);
  }
}

/**
 * htmlparser2 reports the closes a new tag implies as soon as it has read the tag's name, before it knows
 * the tag will ever end. So implied closes wait here for the next event and arrive with it; those still
 * waiting when the input runs out belong to an unfinished tag and never happened.
 */
class CloseBatcher implements Partial<Handler> {
  parser: TokenTrackingParser | undefined;
  private pending: { readonly tag: string; readonly speculative: boolean }[] = [];

  constructor(private readonly reader: HtmlReader) {}

  onopentag(tag: string, attributes: Record<string, string>): void {
    this.flush();
    this.reader.openTag(tag, attributes);
  }

  onclosetag(tag: string, isImplied: boolean): void {
    const parser = this.parser as TokenTrackingParser;
    // Reported while a tag is still being read (after its last complete token): it may never complete.
    this.pending.push({ tag, speculative: isImplied && parser.endIndex >= parser.consumed });
    if (!isImplied) this.flush();
  }

  ontext(raw: string): void {
    this.flush();
    this.reader.text(raw);
  }

  oncomment(): void {
    this.flush();
  }

  onprocessinginstruction(): void {
    this.flush();
  }

  finish(): void {
    this.pending = this.pending.filter((close) => !close.speculative);
    this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const tags = this.pending.map((close) => close.tag);
    this.pending = [];
    this.reader.closeTags(tags);
  }
}
