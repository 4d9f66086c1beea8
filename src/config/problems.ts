/**
 * What the config loader reports: one problem per mistake, each naming the file, the line and column, the
 * key path and what was expected. `firebell check` prints them with `formatProblem`.
 */
import { closest as closestWithin } from '../core/nearest.js';

/** Edit distance for suggestions (neighbouring letters swapped count as one edit). */
export { editDistance as levenshtein } from '../core/nearest.js';

export interface ConfigProblem {
  /** The file as built from the config dir the caller passed ("config/contacts.yaml"). */
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  /** The key path inside the file, e.g. `contacts[2].timezone`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

export type PathSegment = string | number;
export type KeyPath = readonly PathSegment[];

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `contacts[2].timezone`, `networks.irc[0].channelKeys["#opendev"]`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** `config/contacts.yaml:14:5: contacts[2].timezone: expected ...`; warnings say so after the location. */
export function formatProblem(problem: ConfigProblem, severity: 'error' | 'warning' = 'error'): string {
  let location = problem.file;
  if (problem.line !== undefined) {
    location += `:${problem.line}`;
    if (problem.column !== undefined) location += `:${problem.column}`;
  }
  const label = severity === 'warning' ? 'warning: ' : '';
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${location}: ${label}${visible(`${path}${problem.message}`)}`;
}

/**
 * Messages quote values from the files; a control character among them (a CR/LF, a NUL) would split the
 * line or hide part of it, so it is shown escaped: one problem, one line, always naming its file.
 */
const visible = (text: string): string =>
  text.replace(
    /[\u0000-\u001f\u007f-\u009f]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** The closest candidate within two edits, if any; the first one wins a tie. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  return closestWithin(word, candidates, 2);
}

/** `unknown network "oftcc" (did you mean "oftc"?)`, or the known names when none is close. */
export function unknownName(what: string, name: string, known: readonly string[]): string {
  const suggestion = closest(name, known);
  if (suggestion !== undefined) return `unknown ${what} "${name}" (did you mean "${suggestion}"?)`;
  if (known.length === 0) return `unknown ${what} "${name}" (none are defined)`;
  return `unknown ${what} "${name}" (known: ${known.join(', ')})`;
}

export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}
