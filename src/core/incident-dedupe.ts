/**
 * "The gate is broken" typed by three people in five minutes is one incident. A declaration joins an open
 * incident of the same group declared within the window when the summaries say the same thing: equal once
 * case, punctuation and spacing are ignored, or sharing most of their words.
 */
import type { IncidentView } from './incident-service.js';

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

/** Jaccard similarity of the meaningful words. */
export function similarity(a: string, b: string): number {
  const left = words(a);
  const right = words(b);
  if (left.size === 0 || right.size === 0) return 0;
  let shared = 0;
  for (const word of left) if (right.has(word)) shared += 1;
  return shared / (left.size + right.size - shared);
}

export const SAME_THING = 0.75;

export function findDuplicate(
  open: readonly IncidentView[],
  input: { readonly group: string; readonly summary: string; readonly at: number; readonly windowMs: number },
): IncidentView | undefined {
  const normalized = normalizeSummary(input.summary);
  return open.find(
    (incident) =>
      incident.context.group === input.group &&
      input.at - incident.context.detectedAt <= input.windowMs &&
      (normalizeSummary(incident.context.summary) === normalized ||
        similarity(incident.context.summary, input.summary) >= SAME_THING),
  );
}
