/**
 * Every chat command firebell understands, with its usage and an example. `!help`, the usage replies for
 * malformed commands, the README's command reference and the play book all render from this one list.
 */

export type CommandName =
  | 'incident'
  | 'ack'
  | 'unack'
  | 'assign'
  | 'resolved'
  | 'incidents'
  | 'status'
  | 'help'
  | 'playbook'
  | 'oncall'
  | 'log'
  | 'maintenance'
  | 'status-update'
  | 'success';

export interface CommandSpec {
  readonly name: CommandName;
  /** What people type, without arguments: "!ack", "#status". */
  readonly trigger: string;
  readonly aliases: readonly string[];
  readonly usage: string;
  readonly summary: string;
  readonly examples: readonly string[];
  /** Who may use it, in words, for the play book. */
  readonly who: string;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'incident',
    trigger: '!incident',
    aliases: ['!declare'],
    usage: '!incident <summary>',
    summary: 'Declare an incident: announce it in every linked channel and room, and start escalation.',
    examples: ['!incident PyPI mirror errors are failing gate jobs'],
    who: 'anyone',
  },
  {
    name: 'ack',
    trigger: '!ack',
    aliases: [],
    usage: '!ack [id]',
    summary: 'Acknowledge an incident: you are on it, and paging stops.',
    examples: ['!ack', '!ack 12'],
    who: 'anyone identified to services (IRC) or any Matrix user',
  },
  {
    name: 'unack',
    trigger: '!unack',
    aliases: [],
    usage: '!unack [id]',
    summary: 'Give an incident back: escalation restarts from the first tier.',
    examples: ['!unack 12'],
    who: 'anyone identified',
  },
  {
    name: 'assign',
    trigger: '!assign',
    aliases: [],
    usage: '!assign <who> [id]',
    summary:
      'Assign an incident to a contact (their id, name, IRC nick or account, or Matrix user id) or to yourself (me); paging stops. A name that matches no contact is refused, with the nearest one.',
    examples: ['!assign mara', '!assign @mquill:example.org 12', '!assign me 12'],
    who: 'anyone identified',
  },
  {
    name: 'resolved',
    trigger: '!resolved',
    aliases: ['!resolve'],
    usage: '!resolved [id] [note]',
    summary: 'Close an incident, with an optional note on what fixed it.',
    examples: ['!resolved', '!resolved 12 mirror resynced, rechecks passing'],
    who: 'anyone identified',
  },
  {
    name: 'incidents',
    trigger: '!incidents',
    aliases: [],
    usage: '!incidents',
    summary: 'List the open incidents.',
    examples: ['!incidents'],
    who: 'anyone',
  },
  {
    name: 'status',
    trigger: '!status',
    aliases: [],
    usage: '!status [id]',
    summary:
      "Show an incident's state, age, assignee, next escalation step and latest timeline entries, and the status alert that is up. With many incidents open, a channel gets a summary and you get the full list privately.",
    examples: ['!status', '!status 12'],
    who: 'anyone',
  },
  {
    name: 'oncall',
    trigger: '!oncall',
    aliases: [],
    usage: '!oncall',
    summary: 'Show who is awake now, tier by tier, with their local time.',
    examples: ['!oncall'],
    who: 'anyone',
  },
  {
    name: 'log',
    trigger: '!log',
    aliases: [],
    usage: '!log [n]',
    summary:
      'Show the status history: the last n #status updates and #success entries (5 by default, up to 50; more than 5 are sent to you privately).',
    examples: ['!log', '!log 20'],
    who: 'anyone',
  },
  {
    name: 'maintenance',
    trigger: '!maintenance',
    aliases: [],
    usage: '!maintenance [<group|all> <duration> <reason> | end [group|all]]',
    summary:
      'Start a maintenance window: alerts from monitoring for the group are recorded and shown but do not page (incidents declared in chat still do). Durations like 30m, 2h, 1h30m, up to 7 days. Alone, lists the windows.',
    examples: ['!maintenance infra 2h zuul upgrade', '!maintenance end infra', '!maintenance'],
    who: 'the people in whitelist.yaml (listing: anyone)',
  },
  {
    name: 'playbook',
    trigger: '!playbook',
    aliases: [],
    usage: '!playbook',
    summary: 'Link to the play book: what to do when something breaks, and who to contact.',
    examples: ['!playbook'],
    who: 'anyone',
  },
  {
    name: 'help',
    trigger: '!help',
    aliases: [],
    usage: '!help [command]',
    summary: 'List the commands, or explain one.',
    examples: ['!help', '!help ack'],
    who: 'anyone',
  },
  {
    name: 'status-update',
    trigger: '#status',
    aliases: [],
    usage: '#status alert|notice|log|ok <message>',
    summary:
      'Post a status update (statusbot compatible): alert = notice everywhere and topics changed; notice = notice everywhere; log = record only; ok [message] = alert over, topics restored.',
    examples: [
      '#status alert PyPI mirror problems causing gate failures. Please stand by...',
      '#status notice Gate is recovering; recheck failed changes',
      '#status log Restarted the mirror update job',
      '#status ok The gate is working again',
    ],
    who: 'the people in whitelist.yaml, identified to services (IRC) or by Matrix user id',
  },
  {
    name: 'success',
    trigger: '#success',
    aliases: [],
    usage: '#success <message>',
    summary: 'Record a success worth celebrating.',
    examples: ['#success The new mirror survived release day'],
    who: 'anyone',
  },
];

export function commandSpec(name: CommandName): CommandSpec {
  const spec = COMMANDS.find((candidate) => candidate.name === name);
  if (!spec) throw new Error(`unknown command ${name}`);
  return spec;
}

const triggersOf = (spec: CommandSpec): string[] => [spec.trigger, ...spec.aliases];

/**
 * Finds a command by what someone typed after `!help`: "ack", "!ack", "#status", "declare". A word typed
 * with its prefix means exactly that command (`#status` is the status update, not `!status`); a bare word
 * tries `!` first, then `#`.
 */
export function findCommand(word: string): CommandSpec | undefined {
  const lowered = word.trim().toLowerCase();
  const bare = lowered.replace(/^[!#]/, '');
  const candidates = /^[!#]/.test(lowered) ? [lowered] : [`!${bare}`, `#${bare}`];
  for (const candidate of candidates) {
    const spec = COMMANDS.find((entry) => triggersOf(entry).includes(candidate));
    if (spec) return spec;
  }
  return undefined;
}

/** Every word that starts a command, with its prefix: "!ack", "!declare", "#status". */
export const ALL_TRIGGERS: readonly string[] = COMMANDS.flatMap(triggersOf);
