/**
 * The ntfy delivery channel: an off-chat page becomes one JSON publish to the contact's ntfy server and
 * topic (with their access token as `Authorization: Bearer`), and counts as delivered when the server
 * answers 200 with the message's id (a 200 without one, such as the web app a redirect led to, is refused).
 * 401/403/400 are refusals (a wrong token, a protected topic, a page ntfy will not take: trying again
 * changes nothing); 429, 5xx, timeouts and unreachable servers are retried with the same sequence id for as
 * long as the channel runs.
 */
import { delivered, refused, type Delivery } from '../../core/delivery.js';
import type { OffChatPage } from '../../core/offchat/page.js';
import { PageChannel, type PageChannelDeps } from '../page-channel.js';
import { retryAfterMs, type Attempt } from '../retrying.js';
import { ntfyPublish, type PublishLinks } from './ntfy-publish.js';

export interface NtfyAddress {
  readonly server: string;
  readonly topic: string;
  readonly token?: string;
}

export interface NtfyChannelDeps extends PageChannelDeps<NtfyAddress> {
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

export class NtfyChannel extends PageChannel<NtfyAddress> {
  constructor(private readonly deps: NtfyChannelDeps) {
    super(deps, { id: 'ntfy', name: 'ntfy', carrier: 'ntfy', address: 'ntfy topic' });
  }

  protected attemptFor(
    page: OffChatPage,
    address: NtfyAddress,
    links: PublishLinks,
    delivery: Delivery,
  ): (stopSignal: AbortSignal) => Promise<Attempt> {
    const body = JSON.stringify(ntfyPublish(address.topic, delivery.id, page, links));
    return (stopSignal) => this.attempt(address, body, stopSignal);
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
      if (typeof answer.id === 'string')
        return { kind: 'settled', outcome: delivered(this.deps.clock.now(), [answer.id]) };
      // Not ntfy's answer to a publish. Most often a 301 (http to https) that fetch followed as a GET, which
      // ntfy answers with its web app: nothing was published. The reason shows on the public status site:
      // an origin at most (no path, no credentials).
      const reason = response.redirected
        ? `ntfy.server redirected to ${new URL(response.url).origin}, and nothing was published: set ntfy.server to that address`
        : `the ntfy server answered ${response.status} without a message id: is ntfy.server the ntfy server's address?`;
      return { kind: 'settled', outcome: refused(this.deps.clock.now(), reason) };
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
