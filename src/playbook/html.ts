/**
 * The play book as one self-contained HTML page: inline CSS, no scripts, no external assets, so it can
 * be served from anywhere or saved and opened offline. Every string from the config is escaped, and only
 * http(s) and mailto links become links.
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

function renderCell(value: Cell, header: boolean): string {
  const tag = header ? 'th scope="row"' : 'td';
  const close = header ? 'th' : 'td';
  const tone = value.tone ? ` class="${value.tone}"` : '';
  return `<${tag}${tone}>${renderInline(value.content)}</${close}>`;
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
      const head = block.head.map((value) => `<th scope="col">${renderInline(value)}</th>`).join('');
      const rows = block.rows
        .map(
          (cells) =>
            `<tr>${cells.map((value, index) => renderCell(value, block.rowHeaders === true && index === 0)).join('')}</tr>`,
        )
        .join('\n');
      const dense = block.dense ? ' class="dense"' : '';
      return `<div class="scroll"><table${dense}>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${rows}\n</tbody>\n</table></div>`;
    }
    case 'code':
      return `<pre><code>${escapeHtml(block.text)}</code></pre>`;
    case 'subheading':
      return `<h3 id="${escapeHtml(block.id)}">${renderInline(block.title)}</h3>`;
  }
}

const STYLE = `
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1b1b; background: #fff; margin: 0; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 4rem; }
h1 { font-size: 1.8rem; margin-top: 1rem; }
h2 { font-size: 1.4rem; margin-top: 2.5rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin-top: 1.5rem; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; }
code { background: #f3f3f3; padding: 0 .2em; border-radius: 3px; }
pre { background: #f3f3f3; padding: .75rem 1rem; overflow-x: auto; border-radius: 4px; }
pre code { background: none; padding: 0; }
nav ul { columns: 2; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #f0f0f0; }
table.dense { font-size: .8rem; }
table.dense td, table.dense th { padding: .15rem .35rem; }
td.gap { background: #f8d0d0; color: #7a0000; font-weight: bold; }
td.partial { background: #fdefc8; }
a { color: #0b57a4; }
@media print { nav { display: none; } td.gap { border: 2px solid #7a0000; } }
`.trim();

export function renderHtml(document: PlaybookDocument): string {
  const toc = document.sections
    .map((section) => `<li><a href="#${escapeHtml(section.id)}">${escapeHtml(section.title)}</a></li>`)
    .join('\n');
  const sections = document.sections
    .map((section) =>
      [
        `<section id="${escapeHtml(section.id)}">`,
        `<h2>${escapeHtml(section.title)}</h2>`,
        ...section.blocks.map(renderBlock),
        '</section>',
      ].join('\n'),
    )
    .join('\n');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(document.title)}</title>`,
    `<style>\n${STYLE}\n</style>`,
    '</head>',
    '<body>',
    '<main>',
    `<h1>${escapeHtml(document.title)}</h1>`,
    ...document.intro.map(renderBlock),
    `<nav aria-label="Contents">\n<strong>Contents</strong>\n<ul>\n${toc}\n</ul>\n</nav>`,
    sections,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
