/**
 * 403 and 477 answer both a message and a TOPIC change (InspIRCd sends 477 for a message to a +M channel;
 * 403 comes for either to a channel that is gone): a server reads a connection's lines in order, so the
 * refusal belongs to whichever of the two was written first and still waits, never to both. A scripted
 * server, so that both lines are written before it answers either, and so that it answers as told.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Delivery, DeliveryOutcome } from '../../../src/core/delivery.js';
import { startBot, type RunningBot } from './bot-harness.js';
import { messageDelivery } from './delivery-scenarios.js';
import { ircConfig, until } from './helpers.js';
import { ScriptedIrcServer, type ScriptedClient } from './scripted-server.js';

interface Scene {
  /** The server offers echo-message. */
  readonly echoes: boolean;
  /** What the server answers to our PRIVMSG and to our TOPIC change: accepted, or this refusal numeric. */
  readonly privmsg: 'accept' | '403' | '477';
  readonly topic: 'accept' | '403' | '477';
}

const servers: ScriptedIrcServer[] = [];
const bots: RunningBot[] = [];

after(async () => {
  for (const bot of bots) await bot.network.stop();
  for (const server of servers) await server.close();
});

/** Holds its answers to PRIVMSG and TOPIC until it has both, then answers them in the order received. */
async function serve(scene: Scene): Promise<ScriptedIrcServer> {
  const held: (() => void)[] = [];
  let nick = '*';
  const hold = (answer: () => void): void => {
    held.push(answer);
    if (held.length === 2) for (const release of held.splice(0)) release();
  };
  const refuse = (client: ScriptedClient, numeric: string, channel: string): void =>
    client.send(`:scripted.test ${numeric} ${nick} ${channel} :refused by the test (${numeric})`);
  const server = await ScriptedIrcServer.listen((message, _raw, client) => {
    const [first = '', second = ''] = message.params;
    switch (message.command) {
      case 'CAP':
        if (first === 'LS') client.send(`:scripted.test CAP * LS :${scene.echoes ? 'echo-message' : ''}`);
        if (first === 'REQ') client.send(`:scripted.test CAP ${nick} ACK :${second}`);
        if (first === 'END') {
          client.send(`:scripted.test 001 ${nick} :Welcome ${nick}!bot@scripted.test`);
          client.send(`:scripted.test 005 ${nick} CHANTYPES=# :are supported`);
          client.send(`:scripted.test 422 ${nick} :No MOTD`);
        }
        return;
      case 'NICK':
        nick = first;
        return;
      case 'PING':
        client.send(`:scripted.test PONG scripted.test :${first}`);
        return;
      case 'JOIN':
        client.send(`:${nick}!bot@scripted.test JOIN ${first}`);
        client.send(`:scripted.test 366 ${nick} ${first} :End`);
        return;
      case 'PRIVMSG':
        hold(() => {
          if (scene.privmsg !== 'accept') refuse(client, scene.privmsg, first);
          else if (scene.echoes) client.send(`:${nick}!bot@scripted.test PRIVMSG ${first} :${second}`);
        });
        return;
      case 'TOPIC':
        if (message.params.length < 2) return;
        hold(() => {
          if (scene.topic !== 'accept') refuse(client, scene.topic, first);
          else client.send(`:${nick}!bot@scripted.test TOPIC ${first} :${second}`);
        });
        return;
    }
  });
  servers.push(server);
  return server;
}

async function bot(server: ScriptedIrcServer): Promise<RunningBot> {
  const running = await startBot(ircConfig({ port: server.port, nick: 'fbbot' }), [{ name: '#ops' }], {
    random: () => 0,
  });
  bots.push(running);
  await until(() => running.log.matching('joined #ops', 'info').length > 0, 'the bot in #ops');
  return running;
}

function topicDelivery(running: RunningBot, topic: string): Delivery {
  return {
    id: randomUUID(),
    channel: running.network.id,
    lane: 'urgent',
    content: { kind: 'topic', conversation: '#ops', topic },
    durable: true,
    attempts: 0,
    createdAt: Date.now(),
  };
}

/** Writes the two in `order` back to back; their outcomes. */
async function both(
  scene: Scene,
  order: 'message first' | 'topic first',
): Promise<{ message: DeliveryOutcome; topic: DeliveryOutcome }> {
  const running = await bot(await serve(scene));
  const ops = { network: running.network.id, conversation: '#ops' };
  const send = () => running.network.deliver(messageDelivery(running, ops, 'PAGE: db down'));
  const setTopic = () => running.network.deliver(topicDelivery(running, 'incident: db down'));
  const [message, topic] =
    order === 'message first'
      ? await Promise.all([send(), setTopic()])
      : await Promise.all([setTopic(), send()]).then(([t, m]) => [m, t] as const);
  return { message, topic };
}

test('with echo-message, a 477 refusing the message is not counted against the TOPIC after it', async () => {
  const { message, topic } = await both({ echoes: true, privmsg: '477', topic: 'accept' }, 'message first');
  assert.equal(message.status, 'refused');
  assert.equal(topic.status, 'delivered', 'the server echoed the TOPIC: it was set');
});

test('without echo-message, a 477 refusing the message is not counted against the TOPIC after it', async () => {
  const { message, topic } = await both({ echoes: false, privmsg: '477', topic: 'accept' }, 'message first');
  assert.equal(message.status, 'refused');
  assert.equal(topic.status, 'delivered');
});

test('a 403 refusing the TOPIC written first is not counted against the message after it', async () => {
  const { message, topic } = await both({ echoes: false, privmsg: 'accept', topic: '403' }, 'topic first');
  assert.equal(topic.status, 'refused');
  assert.equal(
    message.status,
    'delivered',
    'the server refused the TOPIC, and answered the PING after the message',
  );
});

test('with echo-message, a 477 refusing the TOPIC written first leaves the message to its echo', async () => {
  const { message, topic } = await both({ echoes: true, privmsg: 'accept', topic: '477' }, 'topic first');
  assert.equal(topic.status, 'refused');
  assert.equal(message.status, 'delivered');
});
