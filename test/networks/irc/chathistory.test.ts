/**
 * The IRC resend rule where the server keeps history (IRCv3 chathistory): before a delivery is written
 * again, firebell looks in the target's history, and what is there already is not repeated. No Debian IRC
 * server offers chathistory (InspIRCd 3 and ngIRCd do not; Ergo and UnrealIRCd 6 do, neither is packaged),
 * so this runs against a small scripted server that speaks just enough of it: CAP (batch, message-tags,
 * echo-message, server-time, draft/chathistory), JOIN, echoing PRIVMSG with a msgid, and CHATHISTORY AFTER
 * answered in a `chathistory` batch. The repeat rule itself is tested on the real servers
 * (delivery-scenarios.ts).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { IrcMessage } from 'irc-framework';
import { startBot, type RunningBot } from './bot-harness.js';
import { messageDelivery } from './delivery-scenarios.js';
import { ircConfig, until } from './helpers.js';
import { ScriptedIrcServer, type ScriptedClient } from './scripted-server.js';

interface Stored {
  readonly nick: string;
  readonly target: string;
  readonly text: string;
  readonly time: string;
  readonly msgid: string;
  /** Client-only tags as received (`+firebell/delivery=...`). */
  readonly clientTags: string;
}

interface HistoryServerOptions {
  /** Keep client-only tags in the history (Ergo does; a server may not). */
  keepClientTags?: boolean;
  /** Answer CHATHISTORY with FAIL. */
  fail?: boolean;
}

/** A scripted IRC server with a message history shared by every connection. */
class HistoryServer {
  readonly history: Stored[] = [];
  /** While set, messages are stored but not echoed (the echo is lost, as when a connection drops). */
  swallowEchoes = false;
  queries = 0;
  private sequence = 0;
  server!: ScriptedIrcServer;

  static async start(options: HistoryServerOptions = {}): Promise<HistoryServer> {
    const history = new HistoryServer();
    history.server = await ScriptedIrcServer.listen((message, raw, client) =>
      history.answer(message, raw, client, options),
    );
    return history;
  }

  /** Lines the server received from anyone, as PRIVMSG texts. */
  privmsgs(): string[] {
    return this.server.clients.flatMap((client) =>
      client.received
        .filter((line) => / PRIVMSG #ops :/.test(` ${line}`))
        .map((line) => line.replace(/^@\S+ /, '')),
    );
  }

  store(entry: Omit<Stored, 'msgid' | 'time'> & { time?: string }): Stored {
    const stored = {
      ...entry,
      time: entry.time ?? new Date().toISOString(),
      msgid: `m${(this.sequence += 1)}`,
    };
    this.history.push(stored);
    return stored;
  }

  private nicks = new Map<ScriptedClient, string>();

  private answer(
    message: IrcMessage,
    raw: string,
    client: ScriptedClient,
    options: HistoryServerOptions,
  ): void {
    const nick = this.nicks.get(client) ?? '*';
    const [first = '', second = ''] = message.params;
    switch (message.command) {
      case 'CAP':
        if (first === 'LS')
          client.send(
            ':history.test CAP * LS :batch message-tags echo-message server-time draft/chathistory',
          );
        if (first === 'REQ') client.send(`:history.test CAP ${nick} ACK :${second}`);
        if (first === 'END') {
          client.send(`:history.test 001 ${nick} :Welcome ${nick}!bot@history.test`);
          client.send(
            `:history.test 005 ${nick} CHANTYPES=# CHATHISTORY=50 MSGREFTYPES=timestamp,msgid :are supported`,
          );
          client.send(`:history.test 422 ${nick} :No MOTD`);
        }
        return;
      case 'NICK':
        this.nicks.set(client, first);
        return;
      case 'PING':
        client.send(`:history.test PONG history.test :${first}`);
        return;
      case 'JOIN':
        for (const channel of first.split(',')) {
          client.send(`:${nick}!bot@history.test JOIN ${channel}`);
          client.send(`:history.test 366 ${nick} ${channel} :End`);
        }
        return;
      case 'PRIVMSG': {
        const tags = /^@(\S+) /.exec(raw)?.[1] ?? '';
        const clientTags = tags
          .split(';')
          .filter((tag) => tag.startsWith('+'))
          .join(';');
        const stored = this.store({ nick, target: first, text: second, clientTags });
        if (this.swallowEchoes) return;
        client.send(`@${this.tags(stored, true)} :${nick}!bot@history.test PRIVMSG ${first} :${second}`);
        return;
      }
      case 'CHATHISTORY': {
        this.queries += 1;
        const [, target = '', since = ''] = message.params;
        if (options.fail) {
          client.send(
            `:history.test FAIL CHATHISTORY MESSAGE_ERROR AFTER ${target} :Messages could not be retrieved`,
          );
          return;
        }
        const after = Date.parse(since.replace(/^timestamp=/, ''));
        client.send(`:history.test BATCH +h1 chathistory ${target}`);
        for (const entry of this.history)
          if (entry.target.toLowerCase() === target.toLowerCase() && Date.parse(entry.time) > after)
            client.send(
              `@batch=h1;${this.tags(entry, options.keepClientTags ?? true)} :${entry.nick}!u@history.test PRIVMSG ${entry.target} :${entry.text}`,
            );
        client.send(':history.test BATCH -h1');
        return;
      }
    }
  }

  private tags(entry: Stored, withClientTags: boolean): string {
    const base = `msgid=${entry.msgid};time=${entry.time}`;
    return withClientTags && entry.clientTags ? `${base};${entry.clientTags}` : base;
  }
}

const servers: HistoryServer[] = [];
const bots: RunningBot[] = [];
after(async () => {
  for (const bot of bots) await bot.network.stop();
  for (const server of servers) await server.server.close();
});

async function setup(options: HistoryServerOptions = {}): Promise<HistoryServer> {
  const server = await HistoryServer.start(options);
  servers.push(server);
  return server;
}

async function bot(server: HistoryServer): Promise<RunningBot> {
  const running = await startBot(ircConfig({ port: server.server.port, nick: 'fbbot' }), [{ name: '#ops' }], {
    random: () => 0,
  });
  bots.push(running);
  await until(() => running.log.matching('joined #ops', 'info').length > 0, 'the bot in #ops');
  return running;
}

const ops = (running: RunningBot) => ({ network: running.network.id, conversation: '#ops' });

test('a resent delivery already in the history (by its client tag) is not written again', async () => {
  const server = await setup();
  const first = await bot(server);
  const id = randomUUID();
  const sent = await first.network.deliver(
    messageDelivery(first, ops(first), 'PAGE: db down\nplease look', { id }),
  );
  assert.equal(sent.status, 'delivered');
  assert.deepEqual(sent.status === 'delivered' ? sent.receipt : [], ['m1', 'm2'], 'the msgids of the echoes');
  assert.match(server.history[0]?.clientTags ?? '', new RegExp(`^\\+firebell/delivery=${id}:0$`));
  await first.network.stop();

  // A restart: the outbox never committed the outcome, so the same delivery comes again.
  const second = await bot(server);
  const again = await second.network.deliver(
    messageDelivery(second, ops(second), 'PAGE: db down\nplease look', { id, attempts: 1 }),
  );
  assert.equal(again.status, 'delivered');
  assert.deepEqual(again.status === 'delivered' ? again.receipt : [], ['m1', 'm2']);
  assert.equal(server.queries, 1);
  assert.deepEqual(server.privmsgs(), ['PRIVMSG #ops :PAGE: db down', 'PRIVMSG #ops :please look']);
});

test('where the history keeps no client tags, our nick, the text and the time tell our lines', async () => {
  const server = await setup({ keepClientTags: false });
  const running = await bot(server);
  const id = randomUUID();
  server.store({ nick: 'fbbot', target: '#ops', text: 'PAGE: disk full', clientTags: '' });
  // Someone else saying the same words does not count as ours.
  server.store({ nick: 'alice', target: '#ops', text: 'PAGE: mirror stale', clientTags: '' });
  const found = await running.network.deliver(
    messageDelivery(running, ops(running), 'PAGE: disk full', { id, attempts: 1 }),
  );
  assert.equal(found.status, 'delivered');
  const missing = await running.network.deliver(
    messageDelivery(running, ops(running), 'PAGE: mirror stale', { attempts: 1 }),
  );
  assert.equal(missing.status, 'delivered');
  assert.deepEqual(server.privmsgs(), ['PRIVMSG #ops :PAGE: mirror stale']);
  // A line from before the delivery was created is not it.
  server.store({
    nick: 'fbbot',
    target: '#ops',
    text: 'old news',
    clientTags: '',
    time: new Date(Date.now() - 3_600_000).toISOString(),
  });
  await running.network.deliver(messageDelivery(running, ops(running), 'old news', { attempts: 1 }));
  assert.deepEqual(server.privmsgs(), ['PRIVMSG #ops :PAGE: mirror stale', 'PRIVMSG #ops :old news']);
});

test('half a message in the history: only the missing lines are written; history never reaches the core', async () => {
  const server = await setup();
  const running = await bot(server);
  const id = randomUUID();
  server.store({ nick: 'fbbot', target: '#ops', text: 'first', clientTags: `+firebell/delivery=${id}:0` });
  // A command in the history: old, and never to be run again.
  server.store({ nick: 'alice', target: '#ops', text: '!ack 1', clientTags: '' });
  const outcome = await running.network.deliver(
    messageDelivery(running, ops(running), 'first\nsecond', { id, attempts: 1 }),
  );
  assert.equal(outcome.status, 'delivered');
  assert.deepEqual(server.privmsgs(), ['PRIVMSG #ops :second']);
  assert.deepEqual(running.events.messages, [], 'the history batch reached nobody');
});

test('a refused history query means the line is written (the documented repeat)', async () => {
  const server = await setup({ fail: true });
  const running = await bot(server);
  const outcome = await running.network.deliver(
    messageDelivery(running, ops(running), 'PAGE: again', { attempts: 1 }),
  );
  assert.equal(outcome.status, 'delivered');
  assert.deepEqual(server.privmsgs(), ['PRIVMSG #ops :PAGE: again']);
  assert.equal(running.log.matching('the server refused a chathistory query', 'warn').length, 1);
});

test('a line whose echo was lost with the connection is found in the history, not repeated', async () => {
  const server = await setup();
  const running = await bot(server);
  server.swallowEchoes = true;
  const pending = running.network.deliver(messageDelivery(running, ops(running), 'PAGE: echo lost'));
  await server.server.received((line) => line.endsWith('PRIVMSG #ops :PAGE: echo lost'));
  server.swallowEchoes = false;
  for (const client of server.server.clients) client.close();
  const outcome = await pending;
  assert.equal(outcome.status, 'delivered');
  assert.equal(server.queries, 1, 'looked before writing again');
  assert.deepEqual(server.privmsgs(), ['PRIVMSG #ops :PAGE: echo lost']);
});
