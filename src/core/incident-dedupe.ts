/**
 * "The gate is broken" typed by three people in five minutes is one incident. A declaration joins an open
 * incident of the same group declared within the window when the summaries say the same thing (see
 * `saySameThing`): never merely because they share words.
 */
import type { IncidentView } from './incident-service.js';
import { editDistance } from './nearest.js';

const STOP_WORDS = new Set([
  'the',
  'a',
  'an',
  'is',
  'are',
  'on',
  'in',
  'of',
  'and',
  'to',
  'for',
  'with',
  'it',
  'its',
]);

export function normalizeSummary(summary: string): string {
  return summary
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

function words(summary: string): Set<string> {
  return new Set(
    normalizeSummary(summary)
      .split(' ')
      .filter((word) => word.length > 0 && !STOP_WORDS.has(word)),
  );
}

/** A word without its common English ending: "failing", "failed", "fails" → "fail". */
function stem(word: string): string {
  const match = /^(.{3,})(?:ing|ed|es|s)$/.exec(word);
  return match?.[1] ?? word;
}

const LETTERS_ONLY = /^\p{L}+$/u;

/**
 * The same word, give or take its ending or one typo in a longer word ("mirorr" for "mirror"). Words with
 * digits are names (host12, mirror02, py311) and must match exactly: one character is the whole difference.
 */
function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  if (!LETTERS_ONLY.test(a) || !LETTERS_ONLY.test(b)) return false;
  if (stem(a) === stem(b)) return true;
  return a.length >= 5 && b.length >= 5 && editDistance(a, b) <= 1;
}

/** The words of `from` that have no counterpart in `to`. */
function unmatched(from: ReadonlySet<string>, to: ReadonlySet<string>): string[] {
  return [...from].filter((word) => ![...to].some((other) => sameWord(word, other)));
}

/**
 * Whether two summaries say the same thing: the same meaningful words (in any order, with endings and
 * typos forgiven), or one says it all and the other adds a single word ("gerrit is down" and "gerrit is
 * down again"). Sharing most words is not enough: "mirror errors in ovh" and "mirror errors in rax" are
 * two incidents, and the one word that differs is the one that matters.
 */
export function saySameThing(a: string, b: string): boolean {
  const left = words(a);
  const right = words(b);
  if (left.size === 0 || right.size === 0) return normalizeSummary(a) === normalizeSummary(b);
  const onlyLeft = unmatched(left, right).length;
  const onlyRight = unmatched(right, left).length;
  if (onlyLeft === 0 && onlyRight === 0) return true;
  const shorter = Math.min(left.size, right.size);
  return shorter >= 2 && Math.min(onlyLeft, onlyRight) === 0 && Math.max(onlyLeft, onlyRight) === 1;
}

export function findDuplicate(
  open: readonly IncidentView[],
  input: { readonly group: string; readonly summary: string; readonly at: number; readonly windowMs: number },
): IncidentView | undefined {
  return open.find(
    (incident) =>
      incident.context.group === input.group &&
      input.at - incident.context.detectedAt <= input.windowMs &&
      saySameThing(incident.context.summary, input.summary),
  );
}
