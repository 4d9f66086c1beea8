/**
 * Acknowledging by a one-tap link in a page off chat (ntfy, e-mail): the HTTP adapter checks the link's
 * signature and expiry (ack-token.ts) and hands its claims here; this acknowledges the incident as that
 * contact, exactly as `!ack` typed by them would (the same event, the same permission, the same
 * announcement, which says "from a push notification"), once.
 *
 * Once: a link's id is recorded as used in the same commit as the acknowledgement it made (the journal's
 * batch is held between the two), so a crash keeps both or neither, and a second tap, even one racing the
 * first, is refused. A link whose incident resolved, or that someone else already holds, changes nothing.
 */
import type { Actor } from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import type { Directory } from '../directory.js';
import type { IncidentService, IncidentView } from '../incident-service.js';
import type { Journal } from '../journal.js';
import type { Logger } from '../logger.js';
import type { Contact, Permission } from '../settings.js';
import type { Store } from '../store.js';
import type { AckClaims } from './ack-token.js';

export type LinkAckVerdict =
  /** The link may acknowledge (GET shows the button). */
  | { readonly kind: 'usable'; readonly incident: IncidentView; readonly contact: Contact }
  | { readonly kind: 'acknowledged'; readonly incident: IncidentView; readonly contact: Contact }
  /** The link was used before (or is being used right now). */
  | { readonly kind: 'reused' }
  /** The contact is gone from contacts.yaml, or the ack permission does not include them. */
  | { readonly kind: 'not-allowed'; readonly reason: string }
  | { readonly kind: 'no-incident' }
  | { readonly kind: 'resolved'; readonly incident: IncidentView }
  /** Someone holds it already (acknowledged or assigned), maybe the contact themselves from chat. */
  | { readonly kind: 'taken'; readonly incident: IncidentView; readonly holder: Actor | null }
  /** firebell is stopping: the incident is not running here now. */
  | { readonly kind: 'unavailable' }
  /** The store refused the acknowledgement for what it held: nothing was acknowledged. */
  | { readonly kind: 'not-stored'; readonly reason: string };

export interface LinkAcksDeps {
  readonly service: IncidentService;
  readonly directory: Directory;
  readonly journal: Journal;
  readonly store: Pick<Store, 'ackLinkUsed'>;
  readonly clock: Pick<Clock, 'now'>;
  readonly logger: Logger;
  /** `incidents.permissions.ack`: a link counts as a verified contact, so only `whitelist` can refuse. */
  readonly permission: Permission;
}

export class LinkAcks {
  /** Links being used and not committed yet: the store does not know them yet. */
  private readonly inProgress = new Set<string>();

  constructor(private readonly deps: LinkAcksDeps) {}

  /** What the link would do now, changing nothing (a GET, which previewers and mail scanners make). */
  judge(claims: AckClaims): Promise<LinkAckVerdict> {
    if (this.inProgress.has(claims.linkId)) return Promise.resolve({ kind: 'reused' });
    return this.assess(claims);
  }

  /** Acknowledges (a POST); resolves once the acknowledgement and the used mark are committed. */
  async acknowledge(claims: AckClaims): Promise<LinkAckVerdict> {
    if (this.inProgress.has(claims.linkId)) return { kind: 'reused' };
    this.inProgress.add(claims.linkId);
    try {
      const verdict = await this.assess(claims);
      if (verdict.kind !== 'usable') return verdict;
      return await this.apply(claims, verdict.contact);
    } finally {
      this.inProgress.delete(claims.linkId);
    }
  }

  /** The judgement, except for a use in progress (the caller's own, in `acknowledge`). */
  private async assess(claims: AckClaims): Promise<LinkAckVerdict> {
    const contact = this.deps.directory.contact(claims.contactId);
    if (!contact) return { kind: 'not-allowed', reason: `${claims.contactId} is no longer in contacts.yaml` };
    if (this.deps.permission === 'whitelist' && !this.whitelisted(contact))
      return {
        kind: 'not-allowed',
        reason: `only the people on the whitelist may acknowledge, and ${contact.name} is not on it`,
      };
    if (await this.deps.store.ackLinkUsed(claims.linkId)) return { kind: 'reused' };
    const incident = await this.deps.service.find(claims.incidentId);
    if (!incident) return { kind: 'no-incident' };
    if (!incident.open) return { kind: 'resolved', incident };
    if (incident.context.assignee) return { kind: 'taken', incident, holder: incident.context.assignee };
    return { kind: 'usable', incident, contact };
  }

  private async apply(claims: AckClaims, contact: Contact): Promise<LinkAckVerdict> {
    const { journal, service, clock } = this.deps;
    const at = clock.now();
    const by: Actor = { name: contact.name, contactId: contact.id, network: claims.way, via: claims.way };
    const release = journal.hold('an ack link');
    let outcome: ReturnType<IncidentService['send']>;
    try {
      outcome = service.send(claims.incidentId, { type: 'incident.ack', at, by });
      if (outcome.ok)
        journal.record({
          usedAckLinks: [{ linkId: claims.linkId, incidentId: claims.incidentId, contactId: contact.id, at }],
        });
    } finally {
      release();
    }
    if (!outcome.ok) {
      // The incident changed between the judgement and now (nothing awaited between them, but be sure).
      const incident =
        outcome.reason === 'not-applicable' ? outcome.incident : await service.find(claims.incidentId);
      if (!incident) return { kind: 'no-incident' };
      if (!incident.open) return { kind: 'resolved', incident };
      if (outcome.reason === 'not-open') return { kind: 'unavailable' };
      return { kind: 'taken', incident, holder: incident.context.assignee };
    }
    const refusal = await journal.barrier();
    if (refusal) return { kind: 'not-stored', reason: refusal.reason };
    this.deps.logger.info(
      { incident: claims.incidentId, contact: contact.id, way: claims.way },
      'incident acknowledged by a one-tap link',
    );
    return { kind: 'acknowledged', incident: outcome.incident, contact };
  }

  private whitelisted(contact: Contact): boolean {
    return this.deps.directory.whitelist.some((person) => person.contactId === contact.id);
  }
}
