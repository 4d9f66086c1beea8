/**
 * The incident commands: declare, ack, unack, assign, resolve, list, status. They find the incident a
 * command is about, check who may do it, and send the event; the incident's own effects announce the
 * outcome to the group, so a successful command needs no separate reply (except in a private message,
 * where the group's announcement would not be seen).
 */
import type {
  Actor,
  EscalationPolicy,
  IncidentContext,
  IncidentEvent,
} from '../../../machines/incident-types.js';
import type { Clock } from '../clock.js';
import type { Directory } from '../directory.js';
import { renderJoinedDuplicate } from '../effects/render.js';
import { formatDuration } from '../format/duration.js';
import { isShortened, shorten } from '../format/shorten.js';
import type { Groups } from '../groups.js';
import { findDuplicate } from '../incident-dedupe.js';
import type { IncidentService, IncidentView } from '../incident-service.js';
import { checkPermission } from '../permissions.js';
import { bold, code, link, rich, type RichText } from '../rich-text.js';
import type { CommandContext, CommandHandlers } from './handler.js';
import {
  INLINE_INCIDENTS,
  PHASE_WORDS,
  describeIncident,
  fullList,
  fullListText,
  inlineList,
  summarizeOpen,
} from './incident-lists.js';
import type { Contact, Permission } from '../settings.js';

export interface IncidentCommandDeps {
  readonly service: IncidentService;
  readonly directory: Directory;
  readonly groups: Groups;
  readonly clock: Clock;
  readonly permissions: Readonly<Record<'declare' | 'ack' | 'unack' | 'assign' | 'resolve', Permission>>;
  readonly dedupeWindowMinutes: number;
  readonly policyFor: (groupId: string) => EscalationPolicy;
  readonly playbookUrl: string;
  /** The status alert that is up and the latest status entries, for `!status` (the statusbot's). */
  readonly statusOverview?: (now: number) => Promise<RichText | undefined>;
  /** Serves a long text as a page and returns its link, where firebell has a public URL. */
  readonly pageLink?: (title: string, text: string) => string | undefined;
}

type Target = { readonly ok: true; readonly id: number } | { readonly ok: false; readonly reply: RichText };

export function incidentCommands(deps: IncidentCommandDeps): CommandHandlers {
  const { service, directory, groups, clock } = deps;

  function allowed(
    permission: keyof IncidentCommandDeps['permissions'],
    action: string,
    context: CommandContext,
  ): boolean {
    const check = checkPermission(
      deps.permissions[permission],
      action,
      context.network,
      context.message.sender,
      directory,
    );
    if (!check.ok) context.reply(check.reason);
    return check.ok;
  }

  /** The open incidents where a command was typed: its group's, or all of them in a private message. */
  function openHere(context: CommandContext): IncidentView[] {
    return service.open().filter((incident) => !context.group || incident.context.group === context.group.id);
  }

  /**
   * The incident a command means: the one named, the one whose thread it was typed in, or the only one
   * open where it was typed.
   */
  function target(id: number | undefined, context: CommandContext, example: string): Target {
    if (id !== undefined) return { ok: true, id };
    if (context.threadIncident !== undefined) return { ok: true, id: context.threadIncident };
    const open = openHere(context);
    const where = context.group ? 'here' : 'anywhere';
    if (open.length === 1 && open[0]) return { ok: true, id: open[0].id };
    if (open.length === 0)
      return {
        ok: false,
        reply: rich(`There is no open incident ${where}; `, code('!incidents'), ' lists them.'),
      };
    const say = rich('Say which, e.g. ', code(`${example} ${open[0]?.id ?? ''}`.trim()));
    if (open.length <= INLINE_INCIDENTS || !context.group)
      return {
        ok: false,
        reply: rich(`Several incidents are open ${where}: ${inlineList(open)}. `, say),
      };
    return {
      ok: false,
      reply: rich(`${summarizeOpen(open, where)}. `, say, '; ', code('!incidents'), ' lists them all.'),
    };
  }

  /**
   * More incidents than a channel should hear: the counts and the newest few there, every one of them to
   * the asker privately, and a link to the list where firebell serves pages.
   */
  function summarizeInChannel(open: readonly IncidentView[], context: CommandContext): void {
    const now = clock.now();
    const url = deps.pageLink?.('Open incidents', fullListText(open, now));
    context.reply(
      rich(
        `${summarizeOpen(open, 'here')}. The full list is in a private message to you`,
        ...(url ? [' and at ', link(url)] : []),
        '; ',
        code('!status <id>'),
        ' for one.',
      ),
    );
    context.replyPrivately(fullList(open, now), 'bulk');
  }

  /** Sends an event and explains, in words, why it did not apply. */
  async function apply(
    id: number,
    event: IncidentEvent,
    context: CommandContext,
    explain: (incident: IncidentView) => string,
  ): Promise<IncidentView | undefined> {
    const outcome = service.send(id, event);
    if (outcome.ok) return outcome.incident;
    const incident = outcome.reason === 'not-applicable' ? outcome.incident : await service.find(id);
    if (!incident) context.reply(`There is no incident #${id}.`);
    else if (!incident.open) context.reply(`Incident #${id} is already resolved.`);
    else context.reply(explain(incident));
    return undefined;
  }

  const confirmInPrivate = (context: CommandContext, text: string): void => {
    if (!context.group) context.reply(text);
  };

  return {
    incident: (command, context) => {
      if (!allowed('declare', 'declare an incident', context)) return;
      const group = context.group ?? groups.primary;
      const duplicate = findDuplicate(service.open(), {
        group: group.id,
        summary: command.summary,
        at: context.at,
        windowMs: deps.dedupeWindowMinutes * 60_000,
      });
      if (duplicate) {
        service.send(duplicate.id, { type: 'incident.reported', at: context.at, by: context.actor });
        context.reply(
          renderJoinedDuplicate(duplicate.context, { playbookUrl: deps.playbookUrl, now: clock.now() }),
        );
        return;
      }
      const incident = service.declare({
        summary: command.summary,
        group: group.id,
        by: context.actor,
        policy: deps.policyFor(group.id),
        source: { kind: 'chat' },
      });
      confirmInPrivate(
        context,
        `Declared incident #${incident.id} and announced it in ${group.name ?? group.id}.`,
      );
    },

    ack: async (command, context) => {
      if (!allowed('ack', 'acknowledge an incident', context)) return;
      const found = target(command.id, context, '!ack');
      if (!found.ok) return context.reply(found.reply);
      const done = await apply(
        found.id,
        { type: 'incident.ack', at: context.at, by: context.actor },
        context,
        (incident) =>
          incident.context.assignee && sameActor(incident.context.assignee, context.actor)
            ? `Incident #${incident.id} is already yours; paging is stopped.`
            : incident.context.assignee
              ? // "me", not the sender's nick or display name: a nick may be another contact's name.
                `Incident #${incident.id} is already acknowledged by ${incident.context.assignee.name}; to take it over: !assign me ${incident.id}`
              : `Incident #${incident.id} cannot be acknowledged now (${incident.phase}).`,
      );
      if (done) confirmInPrivate(context, `You acknowledged incident #${found.id}; paging stopped.`);
    },

    unack: async (command, context) => {
      if (!allowed('unack', 'give back an incident', context)) return;
      const found = target(command.id, context, '!unack');
      if (!found.ok) return context.reply(found.reply);
      const done = await apply(
        found.id,
        { type: 'incident.unack', at: context.at, by: context.actor },
        context,
        (incident) => `Incident #${incident.id} is not acknowledged, so there is nothing to give back.`,
      );
      if (done)
        confirmInPrivate(context, `Incident #${found.id} is unacknowledged again; escalation restarts.`);
    },

    assign: async (command, context) => {
      if (!allowed('assign', 'assign an incident', context)) return;
      const assignee = assigneeFor(command.who, context, directory);
      if (!assignee.ok) return context.reply(assignee.reply);
      const found = target(command.id, context, `!assign ${command.who}`);
      if (!found.ok) return context.reply(found.reply);
      const done = await apply(
        found.id,
        { type: 'incident.assign', at: context.at, by: context.actor, assignee: assignee.actor },
        context,
        (incident) => `Incident #${incident.id} cannot be assigned now (${incident.phase}).`,
      );
      if (!done) return;
      const contact = assignee.contact;
      if (contact && directory.reachableNetworks(contact).length === 0)
        context.reply(
          rich(
            `Assigned #${found.id} to ${contact.name}, but firebell cannot reach them on any network it is connected to, so they may not know: tell them yourself, or `,
            code(`!unack ${found.id}`),
            ' to page the tiers again.',
          ),
        );
      else confirmInPrivate(context, `Assigned incident #${found.id} to ${assignee.actor.name}.`);
    },

    resolved: async (command, context) => {
      if (!allowed('resolve', 'resolve an incident', context)) return;
      const found = target(command.id, context, '!resolved');
      if (!found.ok) return context.reply(found.reply);
      const done = await apply(
        found.id,
        { type: 'incident.resolve', at: context.at, by: context.actor, note: command.note ?? null },
        context,
        (incident) => `Incident #${incident.id} cannot be resolved now (${incident.phase}).`,
      );
      if (done) confirmInPrivate(context, `Incident #${found.id} resolved.`);
    },

    incidents: (_command, context) => {
      const open = service.open();
      if (open.length === 0) return context.reply('No open incidents.');
      const now = clock.now();
      if (open.length > INLINE_INCIDENTS && context.group) return summarizeInChannel(open, context);
      if (open.length > INLINE_INCIDENTS) return context.reply(fullList(open, now));
      context.reply(
        `${open.length} open: ${open.map((incident) => describeIncident(incident, now)).join(' | ')}`,
      );
    },

    status: async (command, context) => {
      const overview = await deps.statusOverview?.(clock.now());
      if (command.id === undefined && context.threadIncident === undefined) {
        const open = openHere(context);
        if (open.length > INLINE_INCIDENTS && context.group) {
          summarizeInChannel(open, context);
          if (overview) context.reply(overview);
          return;
        }
        if (open.length === 0 && overview) {
          const where = context.group ? 'here' : 'anywhere';
          return context.reply(rich(`There is no open incident ${where}. `, overview));
        }
      }
      const found = target(command.id, context, '!status');
      if (!found.ok) return context.reply(found.reply);
      const incident = await service.find(found.id);
      if (!incident) return context.reply(`There is no incident #${found.id}.`);
      context.reply(renderIncidentStatus(incident, clock.now(), { fullSummary: !context.group }));
      if (overview) context.reply(overview);
    },
  };
}

/**
 * `!status`: state, age, assignee, the next escalation step and the latest timeline entries. A long
 * summary is shortened in a channel, with how to read it whole.
 */
export function renderIncidentStatus(
  incident: IncidentView,
  now: number,
  options: { readonly fullSummary?: boolean } = {},
): RichText {
  const context: IncidentContext = incident.context;
  const assignee = context.assignee ? ` by ${context.assignee.name}` : '';
  const summary = options.fullSummary ? context.summary : shorten(context.summary);
  const parts: Array<string | RichText> = [
    rich(bold(`#${incident.id}`), ` ${summary} — ${PHASE_WORDS[incident.phase]}${assignee}`),
    `; declared ${formatDuration(now - context.detectedAt)} ago by ${context.declaredBy.name}`,
  ];
  const cursor = context.escalation;
  if (incident.open && cursor) {
    const step =
      cursor.next.kind === 'page'
        ? `tier ${context.policy.tiers[cursor.next.tierIndex]?.tier ?? '?'} is paged`
        : 'escalation runs out';
    parts.push(`; ${step} in ${formatDuration(cursor.dueAt - now)} unless someone acks`);
  }
  const latest = context.timeline.slice(-3).map((entry) => {
    const who = entry.by ? ` by ${entry.by.name}` : '';
    const detail = entry.detail && entry.kind !== 'detected' ? ` (${shorten(entry.detail, 120)})` : '';
    return `${entry.kind}${who}${detail} ${formatDuration(now - entry.at)} ago`;
  });
  parts.push(`. Latest: ${latest.join('; ')}.`);
  if (!options.fullSummary && isShortened(context.summary))
    parts.push(rich(' The whole summary: ', code(`!status ${incident.id}`), ' in a private message.'));
  return rich(...parts);
}

/** The same person: the same contact, or else the same verified account on the same network. */
function sameActor(a: Actor, b: Actor): boolean {
  if (a.contactId !== undefined || b.contactId !== undefined) return a.contactId === b.contactId;
  return a.account !== undefined && a.account === b.account && a.network === b.network;
}

type Assignee =
  | { readonly ok: true; readonly actor: Actor; readonly contact?: Contact }
  | { readonly ok: false; readonly reply: RichText };

/** At most this many contacts are listed when a name matches nobody. */
const LISTED_CONTACTS = 12;

/**
 * Who `!assign <who>` means: a contact, or the sender themselves ("me", or their own nick). Anyone else is
 * refused: an assignment stops paging, so a typo ("marra") must never stop it for a person who does not
 * exist.
 */
function assigneeFor(who: string, context: CommandContext, directory: Directory): Assignee {
  const contact = directory.findContact(who);
  if (contact)
    return {
      ok: true,
      actor: { name: contact.name, contactId: contact.id, network: context.network },
      contact,
    };
  const sender = context.message.sender;
  const self = [sender.id, sender.name, sender.account].filter((name) => name !== undefined);
  if (who.toLowerCase() === 'me' || self.some((name) => name.toLowerCase() === who.toLowerCase()))
    return { ok: true, actor: context.actor };
  const nearest = directory.nearestContact(who);
  const listed = directory.contacts.slice(0, LISTED_CONTACTS).map((person) => person.id);
  const more = directory.contacts.length - listed.length;
  const list =
    directory.contacts.length === 0
      ? 'There are no contacts.'
      : `Contacts: ${listed.join(', ')}${more > 0 ? ` and ${more} more (the play book lists them)` : ''}.`;
  return {
    ok: false,
    reply: rich(
      `Nobody called "${who}" is a contact${nearest ? `; did you mean ${nearest.id}?` : '.'} ${list} `,
      code('!assign <contact> [id]'),
      ', or ',
      code('!assign me'),
      '.',
    ),
  };
}
