/**
 * Chat text → command, pure and network-independent. Three outcomes: a command; a usage error for a
 * malformed use of one of our commands (the room gets a one-line usage reply); or nothing, for ordinary
 * chat and for `!words` we don't know (other bots share the channels).
 */
import type { StatusKind } from '../../../machines/incident-types.js';
import { cleanChatLine } from '../format/controls.js';
import { closest } from '../nearest.js';
import { ALL_TRIGGERS, COMMANDS, commandSpec, type CommandName, type CommandSpec } from './catalog.js';

export type Command =
  | { readonly name: 'incident'; readonly summary: string }
  | { readonly name: 'ack'; readonly id?: number }
  | { readonly name: 'unack'; readonly id?: number }
  | { readonly name: 'assign'; readonly who: string; readonly id?: number }
  | { readonly name: 'resolved'; readonly id?: number; readonly note?: string }
  | { readonly name: 'incidents' }
  | { readonly name: 'status'; readonly id?: number }
  | { readonly name: 'help'; readonly topic?: string }
  | { readonly name: 'playbook' }
  | { readonly name: 'oncall' }
  | { readonly name: 'log'; readonly count?: number }
  | { readonly name: 'maintenance'; readonly action: 'list' }
  | { readonly name: 'maintenance'; readonly action: 'end'; readonly group: string }
  | {
      readonly name: 'maintenance';
      readonly action: 'start';
      readonly group: string;
      readonly durationMs: number;
      readonly reason: string;
    }
  | { readonly name: 'status-update'; readonly kind: StatusKind; readonly text: string }
  | { readonly name: 'success'; readonly text: string };

export type ParseResult =
  | { readonly kind: 'command'; readonly command: Command }
  | { readonly kind: 'usage'; readonly spec: CommandSpec; readonly problem: string; readonly hint?: string }
  | { readonly kind: 'none' };

/**
 * The longest summary accepted. Chat shows long summaries shortened (see `shortSummary`); the full text is
 * kept in the incident, so this only stops a paste of a whole log.
 */
export const MAX_SUMMARY_LENGTH = 2000;
/** `!log` shows 5 entries unless asked for more, and never more than this. */
export const MAX_LOG_ENTRIES = 50;

const NONE: ParseResult = { kind: 'none' };
const STATUS_KINDS: readonly StatusKind[] = ['alert', 'notice', 'log', 'ok'];

const command = (value: Command): ParseResult => ({ kind: 'command', command: value });

function usage(name: CommandName, problem: string, hint?: string): ParseResult {
  const spec = commandSpec(name);
  return hint === undefined ? { kind: 'usage', spec, problem } : { kind: 'usage', spec, problem, hint };
}

/** `12` or `#12` → 12; anything else → undefined. */
export function parseIncidentId(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const match = /^#?(\d{1,9})$/.exec(token);
  if (!match) return undefined;
  const id = Number(match[1]);
  return id > 0 ? id : undefined;
}

const looksLikeId = (token: string): boolean => /^#?\d+$/.test(token);

function triggerOf(word: string): CommandSpec | undefined {
  const lowered = word.toLowerCase();
  return COMMANDS.find((spec) => spec.trigger === lowered || spec.aliases.includes(lowered));
}

/** Commands that take at most an incident id. */
function parseOptionalId(name: 'ack' | 'unack' | 'status', args: string[]): ParseResult {
  if (args.length === 0) return command({ name });
  const id = parseIncidentId(args[0]);
  if (args.length > 1 || id === undefined) {
    return usage(name, `"${args.join(' ')}" is not an incident number`);
  }
  return command({ name, id });
}

function parseBang(spec: CommandSpec, args: string[], rest: string): ParseResult {
  switch (spec.name) {
    case 'incident': {
      if (rest.length === 0) return usage('incident', 'say what is broken');
      if (rest.length > MAX_SUMMARY_LENGTH) {
        return usage(
          'incident',
          `keep the summary under ${MAX_SUMMARY_LENGTH} characters (details can follow in chat)`,
        );
      }
      return command({ name: 'incident', summary: rest });
    }
    case 'ack':
    case 'unack':
    case 'status':
      return parseOptionalId(spec.name, args);
    case 'assign': {
      const [who, idToken, ...extra] = args;
      if (who === undefined) return usage('assign', 'say who to assign');
      if (looksLikeId(who) && idToken === undefined)
        return usage('assign', 'say who to assign, then the incident number');
      if (idToken === undefined) return command({ name: 'assign', who });
      const id = parseIncidentId(idToken);
      if (id === undefined || extra.length > 0)
        return usage('assign', `"${[idToken, ...extra].join(' ')}" is not an incident number`);
      return command({ name: 'assign', who, id });
    }
    case 'resolved': {
      const [first, ...others] = args;
      if (first === undefined) return command({ name: 'resolved' });
      const id = parseIncidentId(first);
      if (id === undefined) {
        if (looksLikeId(first)) return usage('resolved', `"${first}" is not an incident number`);
        return command({ name: 'resolved', note: rest });
      }
      const note = others.join(' ');
      return command(note ? { name: 'resolved', id, note } : { name: 'resolved', id });
    }
    case 'log': {
      if (args.length === 0) return command({ name: 'log' });
      // `!log <message>` belongs to another bot (Wikimedia's server admin log); only a number is ours.
      if (args.length > 1 || !/^\d+$/.test(args[0] ?? '')) return NONE;
      const count = Number(args[0]);
      if (count < 1 || count > MAX_LOG_ENTRIES)
        return usage('log', `say how many entries, from 1 to ${MAX_LOG_ENTRIES}`);
      return command({ name: 'log', count });
    }
    case 'maintenance':
      return parseMaintenance(args);
    case 'help':
      if (args.length > 1) return usage('help', 'name one command');
      return command(args[0] === undefined ? { name: 'help' } : { name: 'help', topic: args[0] });
    case 'incidents':
    case 'playbook':
    case 'oncall':
      if (args.length > 0) return usage(spec.name, 'takes no arguments');
      return command({ name: spec.name });
    default:
      return NONE;
  }
}

/** The longest maintenance window one command may start: a longer one is planned in the config. */
export const MAX_MAINTENANCE_MS = 7 * 24 * 3_600_000;

/** "30m", "2h", "1h30m", "1d" → milliseconds; undefined when it is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m(?:in)?)?$/i.exec(text);
  if (!match || text === '') return undefined;
  const [, days = '0', hours = '0', minutes = '0'] = match;
  const ms = ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000;
  return ms > 0 ? ms : undefined;
}

function parseMaintenance(args: string[]): ParseResult {
  const [first, second, ...others] = args;
  if (first === undefined) return command({ name: 'maintenance', action: 'list' });
  if (first.toLowerCase() === 'end') {
    if (others.length > 0) return usage('maintenance', 'name one group, or all');
    return command({ name: 'maintenance', action: 'end', group: second ?? 'all' });
  }
  if (second === undefined) return usage('maintenance', 'say for how long, such as 2h, and why');
  const durationMs = parseDuration(second);
  if (durationMs === undefined)
    return usage('maintenance', `"${second}" is not a duration`, 'such as 30m, 2h or 1h30m');
  if (durationMs > MAX_MAINTENANCE_MS)
    return usage('maintenance', 'at most 7 days at once', 'plan longer windows in the config');
  const reason = others.join(' ');
  if (reason === '') return usage('maintenance', 'say why, so that people know what is going on');
  return command({ name: 'maintenance', action: 'start', group: first, durationMs, reason });
}

/**
 * `#status alert|notice|log|ok <message>`, compatible with the OpenStack statusbot. A bare
 * `#status <message>` (as the founding mail wrote it) gets the usage and a suggestion.
 */
function parseStatus(rest: string): ParseResult {
  const [kindWord = '', ...words] = rest.split(/\s+/).filter(Boolean);
  const kind = kindWord.toLowerCase() as StatusKind;
  const text = words.join(' ');
  if (kindWord === '') return usage('status-update', 'say which kind of update: alert, notice, log or ok');
  if (!STATUS_KINDS.includes(kind)) {
    // "#status alrt …" is a typo of a kind: suggest it with the message as typed. Anything else is the
    // founding mail's bare "#status <message>": suggest it as an alert.
    const nearKind = closest(kindWord, STATUS_KINDS, 2);
    const suggestion = nearKind === undefined ? `alert ${rest}` : `${nearKind} ${text}`.trim();
    return usage(
      'status-update',
      `"${kindWord}" is not alert, notice, log or ok`,
      `did you mean "#status ${suggestion}"?`,
    );
  }
  if (kind !== 'ok' && text === '') return usage('status-update', `#status ${kind} needs a message`);
  return command({ name: 'status-update', kind, text });
}

export function parseCommand(input: string): ParseResult {
  const trimmed = input.trim();
  if (trimmed.length < 2) return NONE;
  const word = trimmed.split(/\s+/)[0] ?? '';
  // A trigger with a control character in it is not ours ("!ack\0"); the arguments are people's text,
  // echoed in replies and announcements, so they lose every control character (C0 and C1).
  const rest = cleanChatLine(trimmed.slice(word.length)).trim();
  const args = rest === '' ? [] : rest.split(/\s+/);

  if (word.startsWith('!')) {
    const spec = triggerOf(word);
    return spec ? parseBang(spec, args, rest) : NONE;
  }
  // `#status` and `#success` are case-sensitive, as in statusbot; `#statusfoo` is not ours.
  if (word === '#status') return parseStatus(rest);
  if (word === '#success') {
    return rest ? command({ name: 'success', text: rest }) : usage('success', 'say what went well');
  }
  return NONE;
}

/** The one-line reply for a malformed command. */
export function usageLine(result: Extract<ParseResult, { kind: 'usage' }>): string {
  const hint = result.hint ? ` (${result.hint})` : '';
  return `${result.problem}${hint}. Usage: ${result.spec.usage}`;
}

/**
 * The command a line probably meant when it starts like one of ours but is not ("!akc" → "!ack"), or
 * undefined. Only a near miss is suggested: other bots' commands share the channels.
 */
export function suggestCommand(input: string): string | undefined {
  const word = input.trim().split(/\s+/)[0] ?? '';
  if (!/^[!#]\S/.test(word) || parseCommand(input).kind !== 'none') return undefined;
  const lowered = word.toLowerCase();
  // One of ours used in a way that is not ("!log <message>"): another bot's, not a typo.
  if (ALL_TRIGGERS.includes(lowered)) return undefined;
  const sameSigil = ALL_TRIGGERS.filter((trigger) => trigger[0] === lowered[0]);
  const nearest = closest(
    lowered.slice(1),
    sameSigil.map((trigger) => trigger.slice(1)),
  );
  return nearest === undefined ? undefined : `${lowered[0]}${nearest}`;
}
