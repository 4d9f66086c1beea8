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
import type { Permission } from '../../config/schema.js';
import type { Clock } from '../clock.js';
import type { Directory } from '../directory.js';
import { renderJoinedDuplicate } from '../effects/render.js';
import { formatDuration } from '../format/duration.js';
import type { Groups } from '../groups.js';
import { findDuplicate } from '../incident-dedupe.js';
import type { IncidentService, IncidentView } from '../incident-service.js';
import { checkPermission } from '../permissions.js';
import { bold, code, rich, type RichText } from '../rich-text.js';
import type { CommandContext, CommandHandlers } from './handler.js';

export interface IncidentCommandDeps {
  readonly service: IncidentService;
  readonly directory: Directory;
  readonly groups: Groups;
  readonly clock: Clock;
  readonly permissions: Readonly<Record<'declare' | 'ack' | 'unack' | 'assign' | 'resolve', Permission>>;
  readonly dedupeWindowMinutes: number;
  readonly policyFor: (groupId: string) => EscalationPolicy;
  readonly playbookUrl: string;
}

type Target = { readonly ok: true; readonly id: number } | { readonly ok: false; readonly reply: RichText };

const PHASE_WORDS: Record<IncidentView['phase'], string> = {
  detected: 'being announced',
  announced: 'announced, not acknowledged',
  assigned: 'acknowledged',
  resolved: 'resolved',
};

function describe(incident: IncidentView, now: number): string {
  const age = formatDuration(now - incident.context.detectedAt);
  const who = incident.context.assignee ? ` by ${incident.context.assignee.name}` : '';
  return `#${incident.id} ${PHASE_WORDS[incident.phase]}${who}, ${age} old: ${incident.context.summary}`;
}

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

  /** The incident a command means: the one named, or the only one open where it was typed. */
  function target(id: number | undefined, context: CommandContext, example: string): Target {
    if (id !== undefined) return { ok: true, id };
    const open = service
      .open()
      .filter((incident) => !context.group || incident.context.group === context.group.id);
    const where = context.group ? 'here' : 'anywhere';
    if (open.length === 1 && open[0]) return { ok: true, id: open[0].id };
    if (open.length === 0)
      return {
        ok: false,
        reply: rich(`There is no open incident ${where}; `, code('!incidents'), ' lists them.'),
      };
    const list = open.map((incident) => `#${incident.id} (${incident.context.summary})`).join(', ');
    return {
      ok: false,
      reply: rich(
        `Several incidents are open ${where}: ${list}. Say which, e.g. `,
        code(`${example} ${open[0]?.id ?? ''}`.trim()),
      ),
    };
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
          incident.context.assignee
            ? `Incident #${incident.id} is already acknowledged by ${incident.context.assignee.name}; to take it over: !assign ${context.message.sender.name} ${incident.id}`
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
      const found = target(command.id, context, `!assign ${command.who}`);
      if (!found.ok) return context.reply(found.reply);
      const contact = directory.findContact(command.who);
      const assignee: Actor = contact
        ? { name: contact.name, contactId: contact.id, network: context.network }
        : { name: command.who.replace(/^@(?=[^:]*$)/, ''), network: context.network };
      const done = await apply(
        found.id,
        { type: 'incident.assign', at: context.at, by: context.actor, assignee },
        context,
        (incident) => `Incident #${incident.id} cannot be assigned now (${incident.phase}).`,
      );
      if (done) {
        if (!contact)
          context.reply(
            `Assigned #${found.id} to ${assignee.name}, who is not in contacts.yaml (so firebell cannot page them).`,
          );
        else confirmInPrivate(context, `Assigned incident #${found.id} to ${contact.name}.`);
      }
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
      context.reply(`${open.length} open: ${open.map((incident) => describe(incident, now)).join(' | ')}`);
    },

    status: async (command, context) => {
      const found = target(command.id, context, '!status');
      if (!found.ok) return context.reply(found.reply);
      const incident = await service.find(found.id);
      if (!incident) return context.reply(`There is no incident #${found.id}.`);
      context.reply(renderIncidentStatus(incident, clock.now()));
    },
  };
}

/** `!status`: state, age, assignee, the next escalation step and the latest timeline entries. */
export function renderIncidentStatus(incident: IncidentView, now: number): RichText {
  const context: IncidentContext = incident.context;
  const assignee = context.assignee ? ` by ${context.assignee.name}` : '';
  const parts: Array<string | RichText> = [
    rich(bold(`#${incident.id}`), ` ${context.summary} — ${PHASE_WORDS[incident.phase]}${assignee}`),
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
    const detail = entry.detail && entry.kind !== 'detected' ? ` (${entry.detail})` : '';
    return `${entry.kind}${who}${detail} ${formatDuration(now - entry.at)} ago`;
  });
  parts.push(`. Latest: ${latest.join('; ')}.`);
  return rich(...parts);
}
