/**
 * Where each incident's announcement landed, per network and room, so that its follow-ups can go into a
 * thread rooted there and the announcement can be edited in place (Matrix). The event id is the
 * announcement delivery's receipt: durable as that outbox row's outcome (the store loads the receipts of
 * open incidents, and of incidents with deliveries still pending, at start), and kept here in memory.
 *
 * A follow-up or an edit handed over before its announcement has an outcome waits for that outcome: the
 * announcement is in flight in the same outbox, usually a round trip ahead. The wait is bounded
 * (`waitMs`) so that an announcement stuck behind a slow room cannot hold a page back for long: after it,
 * a follow-up goes out unthreaded (its text names the incident anyway) and an edit is refused.
 *
 * The memory is bounded (`THREADS_REMEMBERED` places, the least recently written forgotten first): an
 * incident that ends long ago needs none of it, and the store reloads the open incidents' roots at start.
 * Forgetting costs little: a follow-up then goes unthreaded and an edit is refused, both with a reason.
 *
 * Pure bookkeeping: no network, no store; time only from the injected clock.
 */
import type { Clock } from './clock.js';
import type { Delivery, DeliveryOutcome } from './delivery.js';
import type { OutboundMessage } from './messages.js';
import { BoundedMap } from './bounded-map.js';

/** An announcement's event id in one room, as the store loads it from the outbox's receipts. */
export interface AnnouncementReceipt {
  readonly incidentId: number;
  readonly channel: string;
  readonly conversation: string;
  readonly eventId: string;
}

/** A thread to post into: its root, and the latest event known in it (for the reply fallback). */
export interface ThreadPlace {
  readonly root: string;
  readonly latest: string;
}

/** Announcement places (incident × room) kept in memory: years of incidents in a few rooms. */
export const THREADS_REMEMBERED = 20_000;

/** How long a follow-up waits for its announcement's event id before it goes out without it. */
export const DEFAULT_ANNOUNCEMENT_WAIT_MS = 30_000;

const placeKey = (channel: string, conversation: string, incidentId: number): string =>
  `${channel}\u0000${conversation}\u0000${incidentId}`;
const eventKey = (channel: string, eventId: string): string => `${channel}\u0000${eventId}`;

export class IncidentThreads {
  /** The announcement's event id, by channel, room and incident. */
  private readonly roots = new BoundedMap<string, string>(THREADS_REMEMBERED);
  /** The incident an announcement's event id belongs to, by channel and event id. */
  private readonly incidents = new BoundedMap<string, number>(THREADS_REMEMBERED);
  /** The latest event firebell put into a thread, by channel and root (the reply fallback points at it). */
  private readonly latest = new BoundedMap<string, string>(THREADS_REMEMBERED);
  /** Announcements handed over without an outcome yet: how many per place (a resend counts once more). */
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, Array<(root: string | undefined) => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly waitMs = DEFAULT_ANNOUNCEMENT_WAIT_MS,
  ) {}

  /** The announcements' event ids the store kept (at start). */
  load(receipts: Iterable<AnnouncementReceipt>): void {
    for (const receipt of receipts)
      this.remember(receipt.channel, receipt.conversation, receipt.incidentId, receipt.eventId);
  }

  /** An announcement to this room is on its way: follow-ups handed over meanwhile wait for its outcome. */
  announcing(channel: string, conversation: string, incidentId: number): void {
    const key = placeKey(channel, conversation, incidentId);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
  }

  /** The announcement's outcome: its event id when the room took it, undefined when not. */
  announced(channel: string, conversation: string, incidentId: number, eventId: string | undefined): void {
    const key = placeKey(channel, conversation, incidentId);
    const left = (this.inFlight.get(key) ?? 1) - 1;
    if (left > 0) this.inFlight.set(key, left);
    else this.inFlight.delete(key);
    if (eventId !== undefined) this.remember(channel, conversation, incidentId, eventId);
    const root = this.roots.get(key);
    // A failed attempt with another still in flight (a resend) leaves the waiters to the other one.
    if (root === undefined && left > 0) return;
    for (const wake of this.waiting.get(key)?.splice(0) ?? []) wake(root);
    this.waiting.delete(key);
  }

  /** firebell put `eventId` into the thread rooted at `root`: the next fallback points at it. */
  followed(channel: string, root: string, eventId: string): void {
    this.latest.set(eventKey(channel, root), eventId);
  }

  /** The incident whose announcement `eventId` is (a command typed in its thread), if it is one. */
  incidentOf(channel: string, eventId: string): number | undefined {
    return this.incidents.get(eventKey(channel, eventId));
  }

  /** The event after which a reply in this thread is shown by clients without threads. */
  latestIn(channel: string, root: string): string {
    return this.latest.get(eventKey(channel, root)) ?? root;
  }

  /** The incident's thread in this room now, or once its announcement has an outcome (bounded wait). */
  placeOf(
    channel: string,
    conversation: string,
    incidentId: number,
  ): ThreadPlace | undefined | Promise<ThreadPlace | undefined> {
    const key = placeKey(channel, conversation, incidentId);
    const known = this.roots.get(key);
    if (known !== undefined) return this.place(channel, known);
    if (!this.inFlight.has(key)) return undefined;
    return new Promise((resolve) => {
      let done = false;
      const wake = (root: string | undefined): void => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        resolve(root === undefined ? undefined : this.place(channel, root));
      };
      const timer = this.clock.setTimeout(() => {
        const list = this.waiting.get(key);
        list?.splice(list.indexOf(wake), 1);
        wake(undefined);
      }, this.waitMs);
      const list = this.waiting.get(key);
      if (list) list.push(wake);
      else this.waiting.set(key, [wake]);
    });
  }

  /** Notes a delivery about to be handed over: an announcement makes its room's follow-ups wait for it. */
  handing(delivery: Delivery): void {
    const announcement = announcementOf(delivery);
    if (announcement) this.announcing(delivery.channel, announcement.conversation, announcement.incidentId);
  }

  /**
   * What the delivery needs from its incident's thread, filled in: a follow-up gets its thread (or goes
   * without one), an edit its target. A string is why the delivery cannot go (an edit with nothing to edit).
   * Synchronous unless it must wait for the announcement, so nothing else is held back by a turn.
   */
  prepare(delivery: Delivery): Delivery | string | Promise<Delivery | string> {
    const { content, channel } = delivery;
    if (content.kind === 'edit') {
      const fill = (place: ThreadPlace | undefined): Delivery | string =>
        place
          ? { ...delivery, content: { ...content, target: place.root } }
          : `no announcement of incident #${content.incidentId} is known in ${content.conversation}`;
      return then(this.placeOf(channel, content.conversation, content.incidentId), fill);
    }
    if (content.kind !== 'message') return delivery;
    const { message } = content;
    if (message.threadRoot !== undefined && message.threadLatest === undefined)
      return withMessage(delivery, { ...message, threadLatest: this.latestIn(channel, message.threadRoot) });
    const to = message.to;
    if (message.incidentThread !== 'follow-up' || message.incidentId === undefined || 'person' in to)
      return delivery;
    const fill = (place: ThreadPlace | undefined): Delivery =>
      place
        ? withMessage(delivery, { ...message, threadRoot: place.root, threadLatest: place.latest })
        : delivery;
    return then(this.placeOf(channel, to.conversation, message.incidentId), fill);
  }

  /** Notes a delivery's outcome: an announcement's event id, the latest event of a thread. */
  settled(delivery: Delivery, outcome: DeliveryOutcome): void {
    const eventId = outcome.status === 'delivered' ? outcome.receipt.at(-1) : undefined;
    const announcement = announcementOf(delivery);
    if (announcement) {
      // Abandoned (the network stopped): it stays pending and comes back at the next start.
      this.announced(delivery.channel, announcement.conversation, announcement.incidentId, eventId);
      return;
    }
    const { content } = delivery;
    if (content.kind === 'message' && content.message.threadRoot !== undefined && eventId !== undefined)
      this.followed(delivery.channel, content.message.threadRoot, eventId);
  }

  private place(channel: string, root: string): ThreadPlace {
    return { root, latest: this.latestIn(channel, root) };
  }

  private remember(channel: string, conversation: string, incidentId: number, eventId: string): void {
    this.roots.set(placeKey(channel, conversation, incidentId), eventId);
    this.incidents.set(eventKey(channel, eventId), incidentId);
  }
}

function announcementOf(
  delivery: Delivery,
): { readonly conversation: string; readonly incidentId: number } | undefined {
  const { content } = delivery;
  if (content.kind !== 'message') return undefined;
  const { message } = content;
  if (message.incidentThread !== 'root' || message.incidentId === undefined) return undefined;
  const to = message.to;
  if ('person' in to) return undefined;
  return { conversation: to.conversation, incidentId: message.incidentId };
}

function withMessage(delivery: Delivery, message: OutboundMessage): Delivery {
  return { ...delivery, content: { kind: 'message', message } };
}

/** `fill(value)`, now when the value is there, later when it is a promise. */
function then<T, R>(value: T | Promise<T>, fill: (value: T) => R): R | Promise<R> {
  return value instanceof Promise ? value.then(fill) : fill(value);
}
