/**
 * Hostile chat lines for the IRC soak, from the seeded generator: control characters inside a line (CR,
 * LF, NUL, ESC, BEL, CTCP's \x01, DEL, C1), IRC formatting codes, overlong lines, invalid UTF-8,
 * near-miss commands, and privileged commands from a user nobody can verify (the soak's IRC server has no
 * services). Each line carries what the checker needs to judge it: a unique token followed by the control
 * characters injected (that pair on the wire is a relay of them), and, for a privileged command, the words
 * that would show it was obeyed.
 *
 * Lines said in a channel are relayed by the bridge, which keeps bold and colours as styles and renders them
 * again; so formatting codes are injected only into private messages to the bot (commands, whose
 * arguments lose every control character), never into channel lines, where their rendering is legitimate.
 */
import type { Random } from './random.js';

/** Controls no output may carry: line ends, NUL, CTCP, BEL, ESC, DEL, C1 (NEL, CSI). */
const NEVER_RENDERED = ['\r', '\n', '\0', '\x01', '\x07', '\x1b', '\x7f', '\u0085', '\u009b', '\x01\x07'];
/** IRC formatting codes: bold, colour, reset, monospace, reverse, italics, strike, underline. */
const FORMATTING = ['\x02', '\x03', '\x034,12', '\x0f', '\x11', '\x16', '\x1d', '\x1e', '\x1f'];

const NEAR_MISSES = [
  '!ack',
  '!ackk 1',
  '!ACK 1',
  'ack 1',
  '! ack 1',
  '!acknowledge 1',
  '!incidnet the disk',
  '!incident',
  '!resolve',
  '!resolved',
  '#stat alert hello',
  '#statusalert hello',
  '#status',
  '!help',
  '!status',
  '!oncall',
  '!who',
  '!ack -1',
  '!ack 99999999999999999999',
  '!ack 1e3',
  '!ack 0x1',
];

export interface FuzzLine {
  /** A channel, or the bot's nick for a private message. */
  readonly target: string;
  /** The message text, raw bytes (may be invalid UTF-8 or longer than IRC allows). */
  readonly text: Buffer;
  readonly kind: string;
  /** `token` + `injected`: seen together on the wire, the injected controls were relayed. */
  readonly hostile?: { readonly token: string; readonly injected: string };
  /** For a privileged command: words on the wire that would mean it was obeyed. */
  readonly effects?: readonly string[];
}

export interface FuzzTargets {
  readonly channels: readonly string[];
  readonly bot: string;
  /** The fuzzing user's nick, as firebell would name it in an obeyed command. */
  readonly nick: string;
  /** Incident numbers that may exist (privileged commands aim at them). */
  readonly incidents: () => readonly number[];
}

const utf8 = (text: string): Buffer => Buffer.from(text, 'utf8');

function incidentNumber(random: Random, targets: FuzzTargets): number {
  const known = targets.incidents();
  return known.length > 0 && random.next() < 0.8 ? random.pick(known) : 1 + random.below(30);
}

function privileged(random: Random, targets: FuzzTargets, token: string): FuzzLine {
  const id = incidentNumber(random, targets);
  const target = random.next() < 0.5 ? random.pick(targets.channels) : targets.bot;
  const nick = targets.nick;
  const forms: ReadonlyArray<[string, readonly string[]]> = [
    [`!ack ${id}`, [`Incident #${id} acknowledged by ${nick}`]],
    [`!ack`, [`acknowledged by ${nick}`]],
    [`!resolved ${id} ${token} fixed it`, [`resolved by ${nick}`]],
    [`!unack ${id}`, [`gave it back`]],
    [`!assign ${id} ${nick}`, [`assigned to`]],
    [`#status alert ${token} all is lost`, [`TOPIC `, `:NOTICE: ${token}`]],
    [`#status notice ${token} all is fine`, [`:NOTICE: ${token}`]],
    [`#status ok ${token} back`, [`TOPIC `]],
  ];
  const [text, effects] = random.pick(forms);
  return { target, text: utf8(text), kind: 'privileged', effects };
}

/** The `index`-th fuzzed line of the run (its token `fz<index>` is unique). */
export function fuzzLine(random: Random, index: number, targets: FuzzTargets): FuzzLine {
  const token = `fz${index}`;
  const channel = random.pick(targets.channels);
  const roll = random.below(9);
  switch (roll) {
    case 0: {
      // A chat line with controls that no rendering may carry, relayed to the group's other channel.
      const injected = random.pick(NEVER_RENDERED.filter((c) => c !== '\r' && c !== '\n'));
      return {
        target: channel,
        text: utf8(`${token}${injected}tail of the line`),
        kind: 'control-in-channel',
        hostile: { token, injected },
      };
    }
    case 1: {
      // CR or LF inside: the server cuts the line there; the rest arrives as a command of its own.
      const injected = random.pick(['\r', '\n', '\r\n']);
      const rest = random.pick(['PRIVMSG #infra :!ack 1', 'QUIT :bye', 'tail']);
      return {
        target: channel,
        text: utf8(`${token}${injected}${rest}`),
        kind: 'line-end-inside',
        hostile: { token, injected },
      };
    }
    case 2: {
      // Formatting and controls in a command's arguments, privately: every one must go.
      const injected = random.pick([...FORMATTING, ...NEVER_RENDERED]);
      const command = random.pick(['!incidnet', '!ack', '!resolved 1', '#status alert', '!help']);
      return {
        target: targets.bot,
        text: utf8(`${command} ${token}${injected}tail`),
        kind: 'control-in-command',
        hostile: { token, injected },
      };
    }
    case 3: {
      const length = 450 + random.below(1600);
      const filler = random.pick(['x', 'é', '€', '😀']).repeat(length);
      return { target: channel, text: utf8(`${token} ${filler}`), kind: 'overlong' };
    }
    case 4: {
      const bad = random.pick([
        [0xff],
        [0xc3, 0x28],
        [0x80],
        [0xe2, 0x82],
        [0xf0, 0x9f, 0x98],
        [0xed, 0xa0, 0x80],
      ]);
      const text = Buffer.concat([utf8(`${token} `), Buffer.from(bad), utf8(' after')]);
      return { target: random.next() < 0.5 ? channel : targets.bot, text, kind: 'invalid-utf8' };
    }
    case 5:
    case 6:
      return {
        target: random.next() < 0.5 ? channel : targets.bot,
        text: utf8(random.pick(NEAR_MISSES)),
        kind: 'near-miss',
      };
    default:
      return privileged(random, targets, token);
  }
}
