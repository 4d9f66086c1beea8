/**
 * The words firebell says about an incident, as rich text. Pure: everything arrives as arguments. Every
 * announcement and page carries the play book link, so whoever reads it at night knows where to look.
 */
import type { Actor, IncidentContext } from '../../../machines/incident-types.js';
import { formatDuration, formatMinutes } from '../format/duration.js';
import { shorten } from '../format/shorten.js';
import type { PersonRef } from '../messages.js';
import { bold, code, link, mention, rich, type RichText, type Segment } from '../rich-text.js';

export interface RenderContext {
  readonly playbookUrl: string;
  readonly now: number;
  /** The incident's conversations, named for a private page ("#opendev on OFTC"). */
  readonly where?: string;
}

const ref = (id: number): Segment => bold(`#${id}`);
const playbook = (r: RenderContext): RichText => rich(' · play book: ', link(r.playbookUrl));

function people(persons: readonly PersonRef[]): RichText {
  const parts: Array<string | Segment> = [];
  persons.forEach((person, index) => {
    if (index > 0) parts.push(index === persons.length - 1 ? ' and ' : ', ');
    parts.push(mention(person));
  });
  return rich(...parts);
}

export function renderAnnouncement(incident: IncidentContext, r: RenderContext): RichText {
  return rich(
    'Incident ',
    ref(incident.id),
    ` declared by ${incident.declaredBy.name}: `,
    bold(shorten(incident.summary)),
    ' — take it with ',
    code(`!ack ${incident.id}`),
    ', close it with ',
    code(`!resolved ${incident.id} <note>`),
    playbook(r),
  );
}

/** What an announcement edited in place says about the incident now. */
export type AnnouncementState =
  | { readonly state: 'unacknowledged' }
  | { readonly state: 'acknowledged'; readonly by: Actor }
  | { readonly state: 'assigned'; readonly to: string; readonly by: Actor }
  | { readonly state: 'resolved' };

/**
 * The announcement as it reads after an ack, an assignment, a give-back or the resolution (Matrix edits
 * it in place), so the room's first screen tells the truth: the state, and who holds the incident. Names
 * are plain text, never mentions: an edit must not ping anyone again.
 */
export function renderAnnouncementNow(
  incident: IncidentContext,
  now: AnnouncementState,
  r: RenderContext,
): RichText {
  const head = rich(
    'Incident ',
    ref(incident.id),
    ` declared by ${incident.declaredBy.name}: `,
    bold(shorten(incident.summary)),
    ' — ',
  );
  const close = rich(', close it with ', code(`!resolved ${incident.id} <note>`), playbook(r));
  switch (now.state) {
    case 'unacknowledged':
      return rich(head, bold('unacknowledged'), ': take it with ', code(`!ack ${incident.id}`), close);
    case 'acknowledged':
      return rich(head, bold(`acknowledged by ${now.by.name}`), close);
    case 'assigned':
      return rich(head, bold(`assigned to ${now.to}`), ` by ${now.by.name}`, close);
    case 'resolved': {
      const resolution = incident.resolution;
      const by = resolution?.bySource
        ? `by its alert source (${resolution.by.name})`
        : `by ${resolution ? resolution.by.name : 'someone'}`;
      const after = resolution ? ` after ${formatDuration(resolution.at - incident.detectedAt)}` : '';
      const note = resolution?.note ? `: ${shorten(resolution.note, 300)}` : '';
      return rich(head, bold('resolved'), ` ${by}${after}${note}`, playbook(r));
    }
  }
}

export function renderJoinedDuplicate(incident: IncidentContext, r: RenderContext): RichText {
  return rich(
    'That is already incident ',
    ref(incident.id),
    ` (declared by ${incident.declaredBy.name} ${formatDuration(r.now - incident.detectedAt)} ago): `,
    shorten(incident.summary),
    '. Noted that you see it too; ',
    code(`!ack ${incident.id}`),
    ' if you are taking it.',
  );
}

export function renderPageInChannel(
  incident: IncidentContext,
  tier: number,
  recipients: readonly PersonRef[],
  r: RenderContext,
): RichText {
  return rich(
    people(recipients),
    `: paging you (tier ${tier}) for incident `,
    ref(incident.id),
    ': ',
    bold(shorten(incident.summary)),
    ` — unacknowledged for ${formatDuration(r.now - (incident.announcedAt ?? incident.detectedAt))}. `,
    'Acknowledge with ',
    code(`!ack ${incident.id}`),
    playbook(r),
  );
}

export function renderPagePrivate(incident: IncidentContext, tier: number, r: RenderContext): RichText {
  const where = r.where ? ` in ${r.where}` : '';
  return rich(
    `You are paged (tier ${tier}) for incident `,
    ref(incident.id),
    where,
    ': ',
    bold(shorten(incident.summary)),
    ` — declared ${formatDuration(r.now - incident.detectedAt)} ago by ${incident.declaredBy.name}, nobody has acknowledged. `,
    'Reply ',
    code(`!ack ${incident.id}`),
    ' here or in the channel',
    playbook(r),
  );
}

export function renderNobodyReachable(
  incident: IncidentContext,
  tier: number,
  why: string,
  nextStep: string,
): RichText {
  return rich('Incident ', ref(incident.id), `: nobody in tier ${tier} can be paged (${why}). ${nextStep}`);
}

export function renderExhausted(incident: IncidentContext, r: RenderContext): RichText {
  const rounds = incident.policy.repeat + 1;
  const keepsPaging = incident.policy.whenExhausted.action === 'keep-paging-last-tier';
  return rich(
    'Nobody has acknowledged incident ',
    ref(incident.id),
    ` (`,
    shorten(incident.summary),
    `) after paging every tier${rounds > 1 ? ` ${rounds} times` : ''}. `,
    keepsPaging
      ? `The last tier will be paged again every ${formatMinutes(incident.policy.whenExhausted.afterMinutes)}. `
      : 'Escalation has stopped. ',
    'Anyone who can help: ',
    code(`!ack ${incident.id}`),
    '. Who else to contact, and how',
    playbook(r),
  );
}

/**
 * What an ack or an assignment did to escalation, in true words: "paging stopped" only when someone was
 * paged since the incident was last (re)announced; before the first page, nobody will be; a reassignment
 * of an incident already taken changes nothing.
 */
function escalationOutcome(incident: IncidentContext): string {
  const entries = incident.timeline;
  const taken = (kind: string | undefined): boolean => kind === 'acknowledged' || kind === 'assigned';
  let index = entries.length - 1;
  while (index >= 0 && !taken(entries[index]?.kind)) index -= 1;
  for (index -= 1; index >= 0; index -= 1) {
    const kind = entries[index]?.kind;
    if (kind === 'paged') return '; paging stopped.';
    if (taken(kind)) return '.';
    if (kind === 'announced' || kind === 'unacknowledged' || kind === 'ack-timed-out') break;
  }
  return '; nobody will be paged.';
}

/** How an actor acted, when not in chat: " from a push notification". */
export function viaWords(by: Actor): string {
  if (by.via === 'ntfy') return ' from a push notification';
  if (by.via === 'email') return ' from an e-mail';
  return '';
}

export function renderAcknowledged(incident: IncidentContext, by: Actor, r: RenderContext): RichText {
  return rich(
    'Incident ',
    ref(incident.id),
    ` acknowledged by ${by.name}${viaWords(by)} after ${formatDuration(r.now - incident.detectedAt)}${escalationOutcome(incident)}`,
  );
}

export function renderAssigned(incident: IncidentContext, by: Actor, assignee: PersonRef): RichText {
  return rich(
    'Incident ',
    ref(incident.id),
    ' assigned to ',
    mention(assignee),
    ` by ${by.name}${escalationOutcome(incident)}`,
  );
}

export function renderUnacknowledged(
  incident: IncidentContext,
  by: Actor | null,
  reason: 'unack' | 'ack-timeout',
): RichText {
  const firstDelay = formatMinutes(incident.policy.tiers[0]?.afterMinutes ?? 0);
  const why =
    reason === 'unack'
      ? `${by ? by.name : 'someone'} gave it back`
      : `acknowledged ${incident.policy.ackTimeoutMinutes === null ? '' : formatMinutes(incident.policy.ackTimeoutMinutes) + ' '}ago and still open`;
  return rich(
    'Incident ',
    ref(incident.id),
    ` is unacknowledged again (${why}); escalation restarts from tier ${incident.policy.tiers[0]?.tier ?? 1} in ${firstDelay}. `,
    code(`!ack ${incident.id}`),
    ' to take it.',
  );
}

export function renderResolved(incident: IncidentContext): RichText {
  const resolution = incident.resolution;
  const by = resolution?.bySource
    ? `by its alert source (${resolution.by.name})`
    : `by ${resolution ? resolution.by.name : 'someone'}`;
  const after = resolution ? ` after ${formatDuration(resolution.at - incident.detectedAt)}` : '';
  const note = resolution?.note ? `: ${shorten(resolution.note, 300)}` : '.';
  return rich(
    'Incident ',
    ref(incident.id),
    ' (',
    shorten(incident.summary),
    `) resolved ${by}${after}${note}`,
  );
}

export function renderStatusPrompt(
  incident: IncidentContext,
  whitelisted: readonly PersonRef[],
  r: RenderContext,
): RichText {
  const since = formatDuration(r.now - (incident.announcedAt ?? incident.detectedAt));
  const suggestion = code(`#status alert ${shorten(incident.summary)}`);
  const who = whitelisted.length > 0 ? rich(people(whitelisted), ': ') : rich('');
  return rich(
    who,
    'incident ',
    ref(incident.id),
    ` has been open ${since} and no status update was posted. Please post one, for example: `,
    suggestion,
    playbook(r),
  );
}

export function renderStatusOkPrompt(
  incident: IncidentContext,
  whitelisted: readonly PersonRef[],
  r: RenderContext,
): RichText {
  const who = whitelisted.length > 0 ? rich(people(whitelisted), ': ') : rich('');
  return rich(
    who,
    'incident ',
    ref(incident.id),
    ' is resolved but the status alert is still up. Clear it with ',
    code('#status ok <what was fixed>'),
    playbook(r),
  );
}
