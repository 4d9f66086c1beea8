/** Rich text for a terminal: mentions as @name, links as URLs, bold with ANSI codes on a TTY. */
import type { RichText } from '../../core/rich-text.js';

const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

/** Control characters other than newline (C0 and C1: ESC, CSI, NEL…) never reach the terminal. */
const stripControls = (value: string): string => value.replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/g, '');

export function renderShellText(body: RichText, ansi: boolean): string {
  return body
    .map((segment) => {
      switch (segment.kind) {
        case 'text': {
          const value = stripControls(segment.text);
          return ansi && segment.style?.bold ? `${BOLD}${value}${RESET}` : value;
        }
        case 'link':
          return segment.label && segment.label !== segment.url
            ? `${stripControls(segment.label)} <${segment.url}>`
            : stripControls(segment.url);
        case 'mention': {
          const name = `@${stripControls(segment.person.shell?.user ?? segment.person.name)}`;
          return ansi ? `${BOLD}${name}${RESET}` : name;
        }
        case 'code-block':
          return `\n${stripControls(segment.text)}\n`;
        case 'line-break':
          return '\n';
      }
    })
    .join('');
}
