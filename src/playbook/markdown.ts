/**
 * The play book as GitHub-flavoured Markdown, for a wiki or a repository. Everything from the config is
 * escaped: a name such as `<script>` or `*bold*` reads literally and never turns into markup or HTML.
 */
import type { RichText, Segment } from '../core/rich-text.js';
import { isSafeUrl, type Block, type Cell, type PlaybookDocument } from './document.js';

// CommonMark lets any ASCII punctuation be backslash-escaped; these are the ones that can start markup.
const escapeText = (value: string): string =>
  value.replace(/\s*\n\s*/g, ' ').replace(/[\\`*_[\]<>|~#&]/g, (char) => `\\${char}`);

function codeSpan(value: string): string {
  const flat = value.replace(/\s*\n\s*/g, ' ');
  const longestRun = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  // Inside a table a pipe would still end the cell, even in a code span.
  return `${fence}${pad}${flat.replace(/\|/g, '\\|')}${pad}${fence}`;
}

const safeUrl = (url: string): string => url.replace(/[\s()<>]/g, (char) => encodeURIComponent(char));

function renderSegment(segment: Segment): string {
  switch (segment.kind) {
    case 'text': {
      const style = segment.style;
      let out = style?.monospace ? codeSpan(segment.text) : escapeText(segment.text);
      if (style?.italic) out = `*${out}*`;
      if (style?.bold) out = `**${out}**`;
      return out;
    }
    case 'link':
      if (!isSafeUrl(segment.url)) return escapeText(segment.label ?? segment.url);
      return segment.label === undefined
        ? `<${safeUrl(segment.url)}>`
        : `[${escapeText(segment.label)}](${safeUrl(segment.url)})`;
    case 'mention':
      return escapeText(segment.person.name);
    case 'code-block':
      return codeSpan(segment.text);
    case 'line-break':
      return '<br>';
  }
}

export const renderInline = (body: RichText): string => body.map(renderSegment).join('');

function renderCell(value: Cell): string {
  const inline = renderInline(value.content);
  return value.tone === 'gap' ? `**${inline}**` : inline;
}

function fence(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  return '`'.repeat(Math.max(3, longestRun + 1));
}

function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'paragraph':
      return renderInline(block.content);
    case 'list':
      return block.items
        .map((item, index) => `${block.ordered ? `${index + 1}.` : '-'} ${renderInline(item)}`)
        .join('\n');
    case 'table': {
      const row = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
      return [
        row(block.head.map(renderInline)),
        row(block.head.map(() => '---')),
        ...block.rows.map((cells) => row(cells.map(renderCell))),
      ].join('\n');
    }
    case 'code': {
      const marks = fence(block.text);
      return `${marks}\n${block.text}\n${marks}`;
    }
    case 'subheading':
      return `### ${renderInline(block.title)}`;
  }
}

export function renderMarkdown(document: PlaybookDocument): string {
  const [first, ...rest] = document.sections;
  const section = (part: (typeof document.sections)[number]): string[] => [
    `## ${escapeText(part.title)}`,
    ...part.blocks.map(renderBlock),
  ];
  const parts: string[] = [`# ${escapeText(document.title)}`, ...document.intro.map(renderBlock)];
  // What to do now comes first, before the contents, as on the HTML page.
  if (first) parts.push(...section(first));
  parts.push('**Contents**', rest.map((part) => `- [${escapeText(part.title)}](#${part.id})`).join('\n'));
  for (const part of rest) parts.push(...section(part));
  if (document.footer.length > 0) parts.push('---', ...document.footer.map(renderBlock));
  return `${parts.join('\n\n')}\n`;
}
