/**
 * How an edit reads on IRC, which has no edits. A small correction goes out the way IRC people write it
 * by hand, `s/old/new/`; anything else as the whole corrected text. The thresholds are those of
 * matrix-appservice-irc's MessageDiff (research §1.1): only for texts of at least 20 characters, at most
 * three substitutions, and only when shorter than the corrected text itself. Stricter than it in one way:
 * every `old` must occur exactly once in the original, so a reader applying the substitution by eye
 * cannot land on the wrong word.
 */
const MIN_LENGTH = 20;
const MAX_SUBSTITUTIONS = 3;
/** Word-level LCS is quadratic; longer texts are sent whole. */
const MAX_TOKENS = 400;

interface Hunk {
  /** Token index in the original where the change starts. */
  readonly at: number;
  readonly removed: string;
  readonly added: string;
}

/** `s/old/new/` (comma-separated when several) for a small edit; undefined when the full text is better. */
export function substitutionFor(before: string, after: string): string | undefined {
  if (after.length < MIN_LENGTH || before.includes('\n') || after.includes('\n')) return undefined;
  const from = tokens(before);
  const to = tokens(after);
  if (from.length > MAX_TOKENS || to.length > MAX_TOKENS) return undefined;
  const hunks = diff(from, to);
  if (hunks.length === 0 || hunks.length > MAX_SUBSTITUTIONS) return undefined;
  const substitutions: string[] = [];
  for (const hunk of hunks) {
    const pair = substitution(from, hunk);
    if (!pair) return undefined;
    const [old, replacement] = pair;
    if (old.length === 0 || old.includes('/') || replacement.includes('/')) return undefined;
    if (occurrences(before, old) !== 1) return undefined;
    substitutions.push(`s/${old}/${replacement}/`);
  }
  const summary = substitutions.join(', ');
  return summary.length < after.length ? summary : undefined;
}

function substitution(from: readonly string[], hunk: Hunk): [string, string] | undefined {
  const removed = hunk.removed.trim();
  if (removed.length > 0) return [removed, hunk.added.trim()];
  // A pure insertion: anchor it to the word before it (or after it, at the start).
  const previous = lastWord(from, hunk.at - 1, -1);
  if (previous !== undefined) return [previous, `${previous}${hunk.added}`.trimEnd()];
  const next = lastWord(from, hunk.at, 1);
  if (next !== undefined) return [next, `${hunk.added}${next}`.trimStart()];
  return undefined;
}

function lastWord(from: readonly string[], start: number, step: 1 | -1): string | undefined {
  for (let i = start; i >= 0 && i < from.length; i += step) {
    const token = from[i] as string;
    if (token.trim().length > 0) return token;
  }
  return undefined;
}

function tokens(value: string): string[] {
  return value.match(/\s+|\S+/g) ?? [];
}

function occurrences(haystack: string, needle: string): number {
  let count = 0;
  for (let i = haystack.indexOf(needle); i !== -1; i = haystack.indexOf(needle, i + 1)) count += 1;
  return count;
}

/** The changed stretches between two token lists, from their longest common subsequence. */
function diff(from: readonly string[], to: readonly string[]): Hunk[] {
  const n = from.length;
  const m = to.length;
  // lcs[i][j]: common length of from[i..] and to[j..]
  const lcs = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i -= 1) {
    const row = lcs[i] as Uint16Array;
    const below = lcs[i + 1] as Uint16Array;
    for (let j = m - 1; j >= 0; j -= 1) {
      row[j] =
        from[i] === to[j] ? (below[j + 1] as number) + 1 : Math.max(below[j] as number, row[j + 1] as number);
    }
  }
  const hunks: Hunk[] = [];
  let open: { at: number; removed: string; added: string } | undefined;
  let i = 0;
  let j = 0;
  const close = (): void => {
    if (open) hunks.push(open);
    open = undefined;
  };
  while (i < n || j < m) {
    if (i < n && j < m && from[i] === to[j]) {
      close();
      i += 1;
      j += 1;
    } else if (j < m && (i === n || (lcs[i] as Uint16Array)[j + 1]! >= (lcs[i + 1] as Uint16Array)[j]!)) {
      open ??= { at: i, removed: '', added: '' };
      open.added += to[j];
      j += 1;
    } else {
      open ??= { at: i, removed: '', added: '' };
      open.removed += from[i];
      i += 1;
    }
  }
  close();
  return hunks;
}
