/**
 * "Did you mean …?": the nearest known word to a typo, for config keys, chat commands and contact names.
 * Pure and small; a suggestion is only made within two edits, so unrelated words stay unrelated.
 */

/**
 * Edit distance: insertions, deletions, substitutions, and two neighbouring letters swapped ("akc" for
 * "ack"), each counting one (the optimal string alignment variant of Damerau-Levenshtein).
 */
export function editDistance(a: string, b: string): number {
  let beforePrevious: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        best = Math.min(best, (beforePrevious[j - 2] ?? 0) + 1);
      current.push(best);
    }
    beforePrevious = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The closest candidate within `maxDistance` edits (two by default, never more than a third of the word,
 * so "ok" does not suggest "ack"), ignoring case; the first one wins a tie.
 */
export function closest(
  word: string,
  candidates: Iterable<string>,
  maxDistance = Math.min(2, Math.max(1, Math.floor(word.length / 3))),
): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  const lowered = word.toLowerCase();
  for (const candidate of candidates) {
    const distance = editDistance(lowered, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}
