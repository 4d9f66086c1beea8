/**
 * Open incidents in words, sized for where they are said. A channel hears a handful at most: with 80
 * incidents open, one `!status` must not become 50 lines and a minute and a half of paced output for
 * everyone. Beyond `INLINE_INCIDENTS` a channel gets the counts and the newest few, and the asker gets the
 * full list privately (and a link to it, where firebell serves pages).
 */
import { formatDuration } from '../format/duration.js';
import { shorten } from '../format/shorten.js';
import type { IncidentView } from '../incident-service.js';
import { lineBreak, rich, type RichText } from '../rich-text.js';

/** A channel lists at most this many incidents; more are summarised. */
export const INLINE_INCIDENTS = 5;
/** How many of the newest incidents a summary names. */
export const NEWEST_NAMED = 3;

export const PHASE_WORDS: Record<IncidentView['phase'], string> = {
  detected: 'being announced',
  announced: 'announced, not acknowledged',
  assigned: 'acknowledged',
  resolved: 'resolved',
};

/** "#12 acknowledged by Ana, 5 min old: gate is failing". */
export function describeIncident(incident: IncidentView, now: number): string {
  const age = formatDuration(now - incident.context.detectedAt);
  const who = incident.context.assignee ? ` by ${incident.context.assignee.name}` : '';
  return `#${incident.id} ${PHASE_WORDS[incident.phase]}${who}, ${age} old: ${shorten(incident.context.summary, 120)}`;
}

/** "#1 (PyPI mirror errors), #2 (Zuul scheduler stuck)". */
export function inlineList(open: readonly IncidentView[]): string {
  return open.map((incident) => `#${incident.id} (${shorten(incident.context.summary, 80)})`).join(', ');
}

/** Newest first: the incident declared last leads. */
export function newestFirst(open: readonly IncidentView[]): IncidentView[] {
  return [...open].sort((a, b) => b.context.detectedAt - a.context.detectedAt || b.id - a.id);
}

/** "80 incidents are open here (62 not acknowledged, 18 acknowledged); the newest: #80 (…), #79 (…)". */
export function summarizeOpen(open: readonly IncidentView[], where: string): string {
  const unacknowledged = open.filter((incident) => incident.phase !== 'assigned').length;
  const counts = [
    unacknowledged > 0 ? `${unacknowledged} not acknowledged` : '',
    open.length - unacknowledged > 0 ? `${open.length - unacknowledged} acknowledged` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const newest = inlineList(newestFirst(open).slice(0, NEWEST_NAMED));
  return `${open.length} incidents are open ${where} (${counts}); the newest: ${newest}`;
}

/** Every open incident, one per line, newest first: for a private message or a page. */
export function fullList(open: readonly IncidentView[], now: number): RichText {
  const lines = newestFirst(open).map((incident) => describeIncident(incident, now));
  return rich(`${open.length} open incidents, newest first:`, ...lines.flatMap((line) => [lineBreak, line]));
}

/** The same list as plain text, for a page served over HTTP. */
export function fullListText(open: readonly IncidentView[], now: number): string {
  return newestFirst(open)
    .map((incident) => describeIncident(incident, now))
    .join('\n');
}
