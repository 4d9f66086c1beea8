/**
 * Performs what the incident machine asks for: turns each effect into outbound messages, and reports back
 * what happened when the machine needs to know (the announcement went out; who a page reached).
 *
 * Pages go out on every network a contact is reachable on, at once, so a network that is down does not
 * stop a page: the other one still carries it (and the down one delivers when it is back).
 */
import type {
  EscalationPolicy,
  IncidentContext,
  IncidentEffect,
  IncidentEvent,
} from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import { personRefOf, type Directory } from '../directory.js';
import type { Groups } from '../groups.js';
import type { IncidentView } from '../incident-service.js';
import type { Logger } from '../logger.js';
import type { NetworkKind, PersonRef } from '../messages.js';
import type { Speaker } from '../outbox.js';
import type { PendingEffect } from '../store.js';
import { formatMinutes } from '../format/duration.js';
import {
  renderAcknowledged,
  renderAnnouncement,
  renderAnnouncementNow,
  renderAssigned,
  renderExhausted,
  renderNobodyReachable,
  renderPageInChannel,
  renderPagePrivate,
  renderResolved,
  renderStatusOkPrompt,
  renderStatusPrompt,
  renderUnacknowledged,
  type AnnouncementState,
  type RenderContext,
} from './render.js';
import { rich, type RichText } from '../rich-text.js';
import { pageRoutes, reaches } from '../escalation/page-routes.js';
import type { Contact } from '../settings.js';
import type { OffChatPager } from '../offchat/off-chat-pager.js';

export interface PageResolution {
  readonly recipients: readonly Contact[];
  /** When nobody can be paged: why, in words ("nobody is in tier 3"). */
  readonly whyNobody?: string;
  /** Said in the channel alongside the page, e.g. that people outside their hours are being woken. */
  readonly note?: RichText;
}

/** Decides who a tier's page reaches right now (see escalation/page-resolver.ts). */
export type PageResolver = (input: {
  readonly tier: number;
  readonly policy: EscalationPolicy;
  readonly at: number;
}) => PageResolution;

export interface EffectRunnerDeps {
  readonly groups: Groups;
  readonly directory: Directory;
  readonly speaker: Speaker;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly playbookUrl: string;
  readonly resolvePage: PageResolver;
  /** Whom to ask for a status update now (the whitelisted people, the awake ones first). */
  readonly statusPromptRecipients: (at: number) => readonly PersonRef[];
  /** Pages the ways off chat (ntfy, e-mail) each contact wants; none without those channels. */
  readonly offChat?: OffChatPager | undefined;
  /** Sends an event back to the incident (the service's `send`). */
  readonly report: (incidentId: number, event: IncidentEvent) => void;
}

export class EffectRunner {
  constructor(private readonly deps: EffectRunnerDeps) {}

  readonly perform = async (incident: IncidentView, effects: readonly PendingEffect[]): Promise<void> => {
    for (const { effect } of effects) this.performOne(incident.context, effect);
  };

  private performOne(incident: IncidentContext, effect: IncidentEffect): void {
    const r = this.renderContext();
    const group = incident.group;
    const id = incident.id;
    switch (effect.type) {
      case 'effect.announce':
        this.deps.speaker.toGroup(group, renderAnnouncement(incident, r), {
          priority: 'normal',
          purpose: 'announce',
          incidentId: id,
          incidentThread: 'root',
        });
        this.deps.report(id, { type: 'incident.announced', at: this.deps.clock.now() });
        return;
      case 'effect.page':
        this.page(incident, effect.tierIndex, effect.tier, effect.round, r);
        return;
      case 'effect.escalation-exhausted':
        this.deps.speaker.toGroup(group, renderExhausted(incident, r), {
          priority: 'urgent',
          purpose: 'exhausted',
          incidentId: id,
          incidentThread: 'follow-up',
        });
        return;
      case 'effect.acknowledged':
        this.editAnnouncement(incident, { state: 'acknowledged', by: effect.by }, r);
        this.deps.speaker.toGroup(group, renderAcknowledged(incident, effect.by, r), {
          priority: 'urgent',
          purpose: 'ack',
          incidentId: id,
          incidentThread: 'follow-up',
        });
        return;
      case 'effect.assigned': {
        const contact = effect.assignee.contactId
          ? this.deps.directory.contact(effect.assignee.contactId)
          : undefined;
        const assignee: PersonRef = contact ? personRefOf(contact) : { name: effect.assignee.name };
        const now = { state: 'assigned', to: assignee.name, by: effect.by } as const;
        this.editAnnouncement(incident, now, r);
        this.deps.speaker.toGroup(group, renderAssigned(incident, effect.by, assignee), {
          priority: 'urgent',
          purpose: 'assign',
          incidentId: id,
          incidentThread: 'follow-up',
        });
        return;
      }
      case 'effect.unacknowledged':
        this.editAnnouncement(incident, { state: 'unacknowledged' }, r);
        this.deps.speaker.toGroup(group, renderUnacknowledged(incident, effect.by, effect.reason), {
          priority: 'urgent',
          purpose: 'unack',
          incidentId: id,
          incidentThread: 'follow-up',
        });
        return;
      case 'effect.resolved':
        this.editAnnouncement(incident, { state: 'resolved' }, r);
        this.deps.speaker.toGroup(group, renderResolved(incident), {
          priority: 'normal',
          purpose: 'resolved',
          incidentId: id,
          incidentThread: 'follow-up',
        });
        return;
      case 'effect.prompt-status': {
        const whom = this.deps.statusPromptRecipients(this.deps.clock.now());
        const body =
          effect.reason === 'reminder'
            ? renderStatusPrompt(incident, whom, r)
            : renderStatusOkPrompt(incident, whom, r);
        this.deps.speaker.toGroup(group, body, {
          priority: 'normal',
          purpose: 'status-prompt',
          incidentId: id,
          incidentThread: 'follow-up',
        });
        return;
      }
      default: {
        const unknown: never = effect;
        this.deps.logger.warn({ effect: unknown }, 'unknown effect ignored');
      }
    }
  }

  /** The announcement edited in place where the network can (Matrix), to say what is true now. */
  private editAnnouncement(incident: IncidentContext, now: AnnouncementState, r: RenderContext): void {
    this.deps.speaker.editAnnouncement(incident.group, incident.id, () =>
      renderAnnouncementNow(incident, now, r),
    );
  }

  private page(
    incident: IncidentContext,
    tierIndex: number,
    tier: number,
    round: number,
    r: RenderContext,
  ): void {
    const at = this.deps.clock.now();
    const resolution = this.deps.resolvePage({ tier, policy: incident.policy, at });
    const recipients = resolution.recipients;
    const options = {
      priority: 'urgent' as const,
      purpose: 'page',
      incidentId: incident.id,
      incidentThread: 'follow-up' as const,
    };
    if (resolution.note)
      this.deps.speaker.toGroup(
        incident.group,
        rich('Incident ', `#${incident.id}: `, resolution.note),
        options,
      );

    const reached = recipients.length > 0 ? this.sendPages(incident, tier, recipients, r) : [];
    const where = this.deps.groups.get(incident.group)?.name ?? incident.group;
    const paged = {
      id: incident.id,
      summary: incident.summary,
      where,
      tier,
      declaredBy: incident.declaredBy.name,
    };
    // Off chat after chat, each way its own delivery: none of them waits for, or fails with, another.
    for (const contact of recipients)
      this.deps.offChat?.page(contact, paged, round > 0 ? 'reminder' : 'page');
    if (reached.length === 0) {
      const why =
        recipients.length === 0
          ? (resolution.whyNobody ?? `nobody in tier ${tier} can be reached`)
          : `none of them has a handle on this group's networks`;
      this.deps.speaker.toGroup(
        incident.group,
        renderNobodyReachable(incident, tier, why, nextStepAfter(incident.policy, tierIndex, round)),
        options,
      );
    }
    this.deps.logger.info(
      { incident: incident.id, tier, round, recipients: reached.map((contact) => contact.id) },
      `incident #${incident.id} paged tier ${tier}`,
    );
    this.deps.report(incident.id, {
      type: 'incident.paged',
      at,
      tierIndex,
      round,
      recipients: reached.map((contact) => contact.name),
    });
  }

  /**
   * A private message on every network of the group each person has a handle on, and a highlight in each
   * channel and room of the group mentioning those that network can ping, as their `reach` says. Private
   * messages first: they need no channel, so a rejoin or a slow room never holds them back. Returns who
   * was reached at all.
   */
  private sendPages(
    incident: IncidentContext,
    tier: number,
    recipients: readonly Contact[],
    r: RenderContext,
  ): Contact[] {
    const options = {
      priority: 'urgent' as const,
      purpose: 'page',
      incidentId: incident.id,
      incidentThread: 'follow-up' as const,
    };
    const members = this.deps.groups.members(incident.group);
    const kindOf = (network: string): NetworkKind | undefined => this.deps.directory.kindOf(network);
    const routes = new Map(recipients.map((contact) => [contact, pageRoutes(contact, members, kindOf)]));
    const group = this.deps.groups.get(incident.group);
    const privateContext: RenderContext = { ...r, where: group?.name ?? incident.group };
    for (const contact of recipients) {
      for (const network of routes.get(contact)?.privately ?? []) {
        this.deps.speaker.toPerson(
          network,
          personRefOf(contact, network),
          renderPagePrivate(incident, tier, privateContext),
          options,
        );
      }
    }
    for (const member of members) {
      const here = recipients.filter((contact) => routes.get(contact)?.highlights.includes(member));
      if (here.length === 0) continue;
      this.deps.speaker.toConversation(
        { network: member.network, id: member.conversation, direct: false },
        renderPageInChannel(
          incident,
          tier,
          here.map((contact) => personRefOf(contact, member.network)),
          r,
        ),
        options,
      );
    }
    return recipients.filter((contact) => {
      const route = routes.get(contact);
      return route !== undefined && reaches(route);
    });
  }

  private renderContext(): RenderContext {
    return { playbookUrl: this.deps.playbookUrl, now: this.deps.clock.now() };
  }
}

/** What escalation does after a tier that reached nobody, in words for the channel. */
function nextStepAfter(policy: EscalationPolicy, tierIndex: number, round: number): string {
  const next = policy.tiers[tierIndex + 1];
  if (next) return `Paging tier ${next.tier} now.`;
  if (round < policy.repeat) {
    const first = policy.tiers[0];
    return `That was the last tier; starting again with tier ${first?.tier ?? 1} in ${formatMinutes(first?.afterMinutes ?? 0)}.`;
  }
  return 'That was the last tier.';
}
