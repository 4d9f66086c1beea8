/**
 * What the config loader reports: one problem per mistake, each naming the file, the line and column, the
 * key path and what was expected. `firebell check` prints them with `formatProblem`.
 */

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
  return `${location}: ${label}${path}${problem.message}`;
}

/** Edit distance, for "did you mean" suggestions. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The closest candidate within two edits, if any; the first one wins a tie. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
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
