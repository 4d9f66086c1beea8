/**
 * The shell network: firebell in a terminal, as Hubot's shell adapter and errbot's text backend are. You
 * type as a chat user (switch who you are with `/as alice`), and see announcements, pages and prompts as
 * they would appear in chat, with the real timers and the real store. It implements the same ChatNetwork
 * interface as IRC and Matrix, so everything above it runs unchanged.
 */
import { delivered, noEdits, notForChat, type Delivery, type DeliveryOutcome } from '../../core/delivery.js';
import { createInterface, type Interface } from 'node:readline';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { ConversationRef, InboundMessage, OutboundMessage, Sender } from '../../core/messages.js';
import type { ChatNetwork, ConnectionState, NetworkEvents, TopicResult } from '../../core/network.js';
import { renderShellText } from './render-shell.js';
import type { IdentifyShellUser, ShellIdentity } from './shell-identity.js';

export interface ShellNetworkOptions {
  readonly input: NodeJS.ReadableStream;
  readonly output: NodeJS.WritableStream;
  /** Who you are at start. */
  readonly user: string;
  /** The shell channels of the groups; the first is where you start. */
  readonly channels: readonly string[];
  readonly botName: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** A terminal: show a prompt and use bold. A pipe: plain lines. */
  readonly interactive: boolean;
  /** Called when the input ends (Ctrl-D, or the pipe closes). */
  readonly onEnd?: () => void;
  /** Said when the input ends, before stopping: what happens to the open incidents. */
  readonly farewell?: () => string;
  /** Who a name given to `/as` is (contacts are matched whatever the case); default: the name as typed. */
  readonly identify?: IdentifyShellUser;
}

const HELP = [
  'Type to talk in the current channel. Shell commands:',
  '  /as <name> [unverified]   speak as someone else (a contact id or name, any case, or any name)',
  '  /whoami                   who you are now',
  '  /join <#channel>          switch channel',
  '  /msg <bot> <text>         a private message to the bot',
  '  /topic                    show the current channel topic',
  '  /quit                     stop firebell (or Ctrl-D)',
].join('\n');

export class ShellNetwork implements ChatNetwork {
  readonly id = 'shell';
  readonly kind = 'shell' as const;
  private events: NetworkEvents | undefined;
  private readline: Interface | undefined;
  private state: ConnectionState = 'disconnected';
  private identity: ShellIdentity;
  private verified = true;
  private ended = false;
  private channel: string;
  private readonly topics = new Map<string, string>();
  private sequence = 0;

  constructor(private readonly options: ShellNetworkOptions) {
    this.identity = this.identify(options.user);
    this.channel = options.channels[0] ?? '#firebell';
  }

  async start(events: NetworkEvents): Promise<void> {
    this.events = events;
    this.readline = createInterface({
      input: this.options.input,
      output: this.options.interactive ? this.options.output : undefined,
      terminal: this.options.interactive,
    });
    this.readline.on('line', (line) => this.onLine(line));
    this.readline.on('close', () => {
      if (this.state !== 'stopped') this.end();
    });
    this.state = 'connected';
    events.connection?.('connected', this.options.clock.now());
    this.print(
      `firebell shell: you are ${this.identity.description} in ${this.channel}. /help lists the shell commands.`,
    );
    this.prompt();
  }

  private identify(name: string): ShellIdentity {
    return this.options.identify?.(name) ?? { user: name, label: name, description: name };
  }

  /** The input ended or /quit: say what happens to the open incidents, then stop firebell. */
  private end(): void {
    if (!this.ended) {
      this.ended = true;
      const farewell = this.options.farewell?.();
      if (farewell) this.print(farewell);
    }
    this.options.onEnd?.();
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    this.readline?.close();
    this.events?.connection?.('stopped', this.options.clock.now());
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  async deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    const { content } = delivery;
    if (content.kind === 'offchat') return notForChat(this.options.clock.now(), 'the shell');
    if (content.kind === 'edit') return noEdits(this.options.clock.now(), 'the shell');
    if (content.kind === 'topic') await this.setTopic(content.conversation, content.topic);
    else this.send(content.message);
    return delivered(this.options.clock.now(), [`shell-out-${(this.sequence += 1)}`]);
  }

  send(message: OutboundMessage): void {
    const body = renderShellText(message.body, this.options.interactive);
    const from = message.style === 'message' ? `<${this.options.botName}>` : `-${this.options.botName}-`;
    const where =
      'person' in message.to
        ? `private to ${message.to.person.shell?.user ?? message.to.person.name}`
        : message.to.conversation;
    const lines = body.split('\n');
    for (const line of lines)
      this.print(
        message.style === 'emote'
          ? `[${where}] * ${this.options.botName} ${line}`
          : `[${where}] ${from} ${line}`,
      );
  }

  async getTopic(conversation: string): Promise<string | undefined> {
    return this.topics.get(conversation);
  }

  async setTopic(conversation: string, topic: string): Promise<TopicResult> {
    this.topics.set(conversation, topic);
    this.print(`[${conversation}] * ${this.options.botName} set the topic: ${topic}`);
    return { ok: true };
  }

  private onLine(raw: string): void {
    const line = raw.trim();
    if (line.length === 0) return this.prompt();
    if (line.startsWith('/')) {
      this.shellCommand(line);
    } else {
      this.receive({ network: this.id, id: this.channel, direct: false }, line);
    }
    this.prompt();
  }

  private shellCommand(line: string): void {
    const [command = '', ...args] = line.split(/\s+/);
    switch (command.toLowerCase()) {
      case '/as': {
        const unverified = args.at(-1)?.toLowerCase() === 'unverified';
        const name = (unverified ? args.slice(0, -1) : args).join(' ');
        if (!name) return this.print('usage: /as <name> [unverified]');
        this.identity = this.identify(name);
        this.verified = !unverified;
        return this.print(`you are now ${this.identity.description}${this.verified ? '' : ' (unverified)'}`);
      }
      case '/whoami':
        return this.print(`you are ${this.identity.description}${this.verified ? '' : ' (unverified)'}`);
      case '/join': {
        const [channel] = args;
        if (!channel) return this.print('usage: /join <#channel>');
        this.channel = channel.startsWith('#') ? channel : `#${channel}`;
        return this.print(`you are in ${this.channel}`);
      }
      case '/msg': {
        const [, ...words] = args;
        if (words.length === 0) return this.print(`usage: /msg ${this.options.botName} <text>`);
        return this.receive({ network: this.id, id: this.identity.user, direct: true }, words.join(' '));
      }
      case '/topic':
        return this.print(`[${this.channel}] topic: ${this.topics.get(this.channel) ?? '(none)'}`);
      case '/quit':
      case '/exit':
        this.end();
        return;
      case '/help':
        return this.print(HELP);
      default:
        return this.print(`unknown shell command ${command}; /help lists them`);
    }
  }

  private receive(conversation: ConversationRef, text: string): void {
    const user = this.identity.user;
    const sender: Sender = this.verified
      ? { id: user, name: user, account: user, verification: 'local' }
      : { id: user, name: user, verification: 'none' };
    const message: InboundMessage = {
      conversation,
      sender,
      text,
      style: 'message',
      at: this.options.clock.now(),
      messageId: `shell-in-${(this.sequence += 1)}`,
    };
    try {
      this.events?.message(message);
    } catch (error) {
      this.options.logger.error({ err: error }, 'message handler failed');
    }
  }

  private print(line: string): void {
    const time = new Date(this.options.clock.now()).toISOString().slice(11, 19);
    const out = line
      .split('\n')
      .map((part) => `${time} ${part}`)
      .join('\n');
    if (this.options.interactive && this.readline) {
      // Print above the prompt line the user is typing on, then redraw it.
      this.options.output.write(`\r\x1b[K${out}\n`);
      this.readline.prompt(true);
    } else {
      this.options.output.write(`${out}\n`);
    }
  }

  private prompt(): void {
    if (!this.options.interactive || !this.readline) return;
    const unverified = this.verified ? '' : ', unverified';
    this.readline.setPrompt(`[${this.identity.label}${unverified}] ${this.channel}> `);
    this.readline.prompt(true);
  }
}
