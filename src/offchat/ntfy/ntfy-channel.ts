/**
 * The ntfy delivery channel: an off-chat page becomes one JSON publish to the contact's ntfy server and
 * topic (with their access token as `Authorization: Bearer`), and counts as delivered when the server
 * answers 200 with the message's id. 401/403/400 are refusals (a wrong token, a protected topic, a page ntfy
 * will not take: trying again changes nothing); 429, 5xx, timeouts and unreachable servers are retried with
 * the same sequence id for as long as the channel runs.
 */
import type { Clock } from '../../core/clock.js';
import {
  delivered,
  refused,
  type Delivery,
  type DeliveryChannel,
  type DeliveryOutcome,
} from '../../core/delivery.js';
import type { Logger } from '../../core/logger.js';
import type { OffChatPage } from '../../core/offchat/page.js';
import { DEFAULT_RETRY, RetryLoop, retryAfterMs, type Attempt, type RetryPolicy } from '../retrying.js';
import { ntfyPublish, type PublishLinks } from './ntfy-publish.js';

export interface NtfyAddress {
  readonly server: string;
  readonly topic: string;
  readonly token?: string;
}

export interface NtfyChannelDeps {
  /** The contact's ntfy handle, looked up at delivery (a contact may have lost it since the page was stored). */
  readonly addressOf: (contactId: string) => NtfyAddress | undefined;
  /** The incident page and ack link for a page. */
  /** The page's links; the delivery makes its ack link unique (and the same on a resend). */
  readonly linksFor: (page: OffChatPage, delivery: Delivery) => PublishLinks;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: RetryPolicy;
  /** Per attempt, from the request to the answer. */
  readonly timeoutMs?: number;
}

/** What ntfy's JSON error body says, for the reason of a refusal. */
async function errorText(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : response.statusText;
  } catch {
    return response.statusText;
  }
}

const REFUSALS: Record<number, string> = {
  401: 'ntfy refused the access token (401): check ntfy.token in contacts.yaml',
  403: 'the ntfy topic needs an access token (403): set ntfy.token in contacts.yaml',
};

export class NtfyChannel implements DeliveryChannel {
  readonly id = 'ntfy';
  private readonly stopController = new AbortController();
  private readonly loop: RetryLoop;
  private readonly log: Logger;

  constructor(private readonly deps: NtfyChannelDeps) {
    this.log = deps.logger.child({ channel: 'ntfy' });
    this.loop = new RetryLoop(deps.retry ?? DEFAULT_RETRY, deps.clock, (reason, attempt, delayMs) =>
      this.log.warn({ reason, attempt, delayMs }, 'ntfy did not take a page yet; trying again'),
    );
  }

  async deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const now = (): number => this.deps.clock.now();
    if (delivery.content.kind !== 'offchat') return refused(now(), 'ntfy carries only off-chat pages');
    const page = delivery.content.page;
    const address = this.deps.addressOf(page.contactId);
    if (!address) return refused(now(), `${page.contactId} has no ntfy topic in contacts.yaml`);
    const body = JSON.stringify(
      ntfyPublish(address.topic, delivery.id, page, this.deps.linksFor(page, delivery)),
    );
    const outcome = await this.loop.run(
      (signal) => this.attempt(address, body, signal),
      this.stopController.signal,
    );
    this.log.info(
      { delivery: delivery.id, incident: page.incidentId, contact: page.contactId, status: outcome.status },
      'ntfy page settled',
    );
    return outcome;
  }

  /** Stops retrying: what waits settles `abandoned` and stays pending for the next start. */
  stop(): void {
    this.loop.stop();
    this.stopController.abort();
  }

  private async attempt(address: NtfyAddress, body: string, stopSignal: AbortSignal): Promise<Attempt> {
    const now = this.deps.clock.now();
    let response: Response;
    try {
      response = await fetch(new URL('/', address.server), {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(address.token === undefined ? {} : { Authorization: `Bearer ${address.token}` }),
        },
        body,
        signal: AbortSignal.any([stopSignal, AbortSignal.timeout(this.deps.timeoutMs ?? 15_000)]),
      });
    } catch (error) {
      return { kind: 'transient', reason: `ntfy at ${address.server} is unreachable: ${describe(error)}` };
    }
    if (response.ok) {
      const answer = (await response.json().catch(() => ({}))) as { id?: unknown };
      return {
        kind: 'settled',
        outcome: delivered(this.deps.clock.now(), typeof answer.id === 'string' ? [answer.id] : []),
      };
    }
    const text = await errorText(response);
    if (response.status === 429 || response.status >= 500)
      return {
        kind: 'transient',
        reason: `ntfy answered ${response.status}: ${text}`,
        ...optional(retryAfterMs(response.headers.get('retry-after'), now)),
      };
    return {
      kind: 'settled',
      outcome: refused(
        this.deps.clock.now(),
        REFUSALS[response.status] ?? `ntfy refused the page (${response.status}): ${text}`,
      ),
    };
  }
}

const optional = (afterMs: number | undefined): { afterMs?: number } =>
  afterMs === undefined ? {} : { afterMs };

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string'
    ? cause.code
    : error.name === 'TimeoutError'
      ? 'timed out'
      : error.message;
}
