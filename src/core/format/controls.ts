/**
 * Control characters in people's text: C0 (NUL, ESC, IRC formatting codes), DEL and C1 (U+0080–U+009F:
 * NEL, CSI and the rest, which terminals and some clients act on). Whatever firebell echoes back (a
 * summary, a note, a name in a usage reply) passes through here, in the command parser and again in each
 * network's renderer.
 */

/** Every control character except tab, LF and CR (line ends are each renderer's business). */
export const CONTROLS_EXCEPT_LINE_ENDS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Characters that end a line in some system: CR, LF, NEL, LINE and PARAGRAPH SEPARATOR. */
const LINE_ENDS = /\r\n|[\r\n\u0085\u2028\u2029]/g;

/** Control characters removed, line ends and tabs kept. */
export function stripControls(value: string): string {
  return value.replace(CONTROLS_EXCEPT_LINE_ENDS, '');
}

/** One line of chat input: line ends and tabs become spaces, every other control character goes. */
export function cleanChatLine(value: string): string {
  return stripControls(value.replace(LINE_ENDS, ' ').replace(/\t/g, ' '));
}
