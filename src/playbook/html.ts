/**
 * The play book as one self-contained HTML page: inline CSS, no scripts, no external assets, so it can
 * be served from anywhere or saved and opened offline. Mobile first: what to do now fills the first
 * screen of a phone, tables reflow into cards or scroll inside themselves, dark mode follows the system.
 * Every string from the config is escaped, and only http(s), mailto and irc(s) links become links.
 */
import type { RichText, Segment } from '../core/rich-text.js';
import { isSafeUrl, type Block, type Cell, type PlaybookDocument } from './document.js';

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);

function renderSegment(segment: Segment): string {
  switch (segment.kind) {
    case 'text': {
      const style = segment.style;
      let out = escapeHtml(segment.text);
      if (style?.monospace) out = `<code>${out}</code>`;
      if (style?.italic) out = `<em>${out}</em>`;
      if (style?.bold) out = `<strong>${out}</strong>`;
      return out;
    }
    case 'link': {
      const label = escapeHtml(segment.label ?? segment.url);
      return isSafeUrl(segment.url) ? `<a href="${escapeHtml(segment.url)}">${label}</a>` : label;
    }
    case 'mention':
      return escapeHtml(segment.person.name);
    case 'code-block':
      return `<pre><code>${escapeHtml(segment.text)}</code></pre>`;
    case 'line-break':
      return '<br>';
  }
}

const renderInline = (body: RichText): string => body.map(renderSegment).join('');

/** The header's words, for the label a reflowed cell shows on a phone. */
const plainText = (body: RichText): string =>
  body
    .map((segment) =>
      segment.kind === 'text' ? segment.text : segment.kind === 'link' ? (segment.label ?? segment.url) : '',
    )
    .join('');

function renderCell(value: Cell, header: boolean, label: string | undefined): string {
  const tag = header ? 'th scope="row"' : 'td';
  const close = header ? 'th' : 'td';
  const classes = [value.tone, value.now ? 'now' : undefined].filter(Boolean).join(' ');
  const attributes = `${classes ? ` class="${classes}"` : ''}${label ? ` data-label="${escapeHtml(label)}"` : ''}`;
  return `<${tag}${attributes}>${renderInline(value.content)}</${close}>`;
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return `<p>${renderInline(block.content)}</p>`;
    case 'list': {
      const tag = block.ordered ? 'ol' : 'ul';
      const items = block.items.map((item) => `<li>${renderInline(item)}</li>`).join('\n');
      return `<${tag}>\n${items}\n</${tag}>`;
    }
    case 'table': {
      const labels = block.head.map(plainText);
      const head = block.head.map((value) => `<th scope="col">${renderInline(value)}</th>`).join('');
      const rows = block.rows
        .map(
          (cells) =>
            `<tr>${cells
              .map((value, index) =>
                renderCell(
                  value,
                  block.rowHeaders === true && index === 0,
                  block.dense ? undefined : labels[index],
                ),
              )
              .join('')}</tr>`,
        )
        .join('\n');
      // A dense grid scrolls sideways inside its own box; any other table reflows into cards on a phone.
      const kind = block.dense ? 'dense' : 'reflow';
      return `<div class="scroll"><table class="${kind}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
    }
    case 'code':
      return `<pre><code>${escapeHtml(block.text)}</code></pre>`;
    case 'subheading':
      return `<h3 id="${escapeHtml(block.id)}">${renderInline(block.title)}</h3>`;
  }
}

/**
 * Mobile first: the base rules are for a phone; wider screens get more room. Colours come from custom
 * properties so `prefers-color-scheme: dark` swaps them in one place. No script, no external asset.
 */
const STYLE = `
:root { color-scheme: light dark; --fg: #1b1b1b; --bg: #fff; --muted: #f3f3f3; --line: #ccc; --head: #f0f0f0;
  --link: #0b57a4; --gap-bg: #f8d0d0; --gap-fg: #7a0000; --partial: #fdefc8; --now: #0b57a4; --lead: #eef5ff; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e8e8e8; --bg: #141414; --muted: #262626; --line: #444; --head: #222;
    --link: #8ab8ff; --gap-bg: #5a1d1d; --gap-fg: #ffd0d0; --partial: #4a3b12; --now: #8ab8ff; --lead: #17243a; }
}
* { box-sizing: border-box; }
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: .5rem .9rem 3rem; }
h1 { font-size: 1.3rem; margin: .4rem 0; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
#right-now { background: var(--lead); border-radius: 6px; padding: .1rem .8rem .4rem; }
#right-now h2 { margin-top: .6rem; border: 0; }
#right-now ol { padding-left: 1.3rem; }
p, li { overflow-wrap: anywhere; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
code { background: var(--muted); padding: 0 .2em; border-radius: 3px; overflow-wrap: anywhere; }
pre { background: var(--muted); padding: .75rem 1rem; overflow-x: auto; border-radius: 4px; }
pre code { background: none; padding: 0; overflow-wrap: normal; }
a { color: var(--link); }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: var(--head); }
table.dense { font-size: .75rem; }
table.dense td, table.dense th { padding: .15rem .3rem; min-width: 6.5rem; }
table.dense th[scope="row"] { position: sticky; left: 0; background: var(--head); min-width: 3.2rem; }
td.gap { background: var(--gap-bg); color: var(--gap-fg); font-weight: bold; }
td.partial { background: var(--partial); }
td.now { outline: 3px solid var(--now); outline-offset: -3px; }
footer { margin-top: 3rem; font-size: .85rem; border-top: 1px solid var(--line); }
/* A phone: ordinary tables become one card per row, each cell labelled with its column. */
@media (max-width: 47.99rem) {
  table.reflow, table.reflow tbody, table.reflow tr, table.reflow th, table.reflow td { display: block; width: 100%; }
  table.reflow thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.reflow tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 .8rem; padding: .3rem .5rem; }
  table.reflow th, table.reflow td { border: 0; padding: .15rem 0; }
  table.reflow td[data-label]::before { content: attr(data-label); display: block; font-size: .8rem; font-weight: bold; opacity: .75; }
  table.reflow th[scope="row"] { font-size: 1.05rem; }
}
@media (min-width: 48rem) {
  main { padding: 1rem 1.5rem 4rem; }
  h1 { font-size: 1.8rem; margin-top: 1rem; }
  h2 { font-size: 1.4rem; margin-top: 2.5rem; }
  nav ul { columns: 2; }
}
@media print { nav { display: none; } td.gap { border: 2px solid #7a0000; } }
`.trim();

function renderSection(section: PlaybookDocument['sections'][number]): string {
  return [
    `<section id="${escapeHtml(section.id)}">`,
    `<h2>${escapeHtml(section.title)}</h2>`,
    ...section.blocks.map(renderBlock),
    '</section>',
  ].join('\n');
}

export function renderHtml(document: PlaybookDocument): string {
  const [first, ...rest] = document.sections;
  const toc = rest
    .map((section) => `<li><a href="#${escapeHtml(section.id)}">${escapeHtml(section.title)}</a></li>`)
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    `<title>${escapeHtml(document.title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(document.title)}</h1>`,
    ...document.intro.map(renderBlock),
    ...(first ? [renderSection(first)] : []),
    `<nav aria-label="Contents">\n<strong>Contents</strong>\n<ul>\n${toc}\n</ul>\n</nav>`,
    ...rest.map(renderSection),
    `<footer>\n${document.footer.map(renderBlock).join('\n')}\n</footer>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
