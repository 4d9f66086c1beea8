/**
 * The measuring side of the IRC round-trip benchmark, in a process of its own so that the clients' work
 * never shares the bot's event loop (as in real life, where people are elsewhere). Connects two clients
 * to the server on argv[2], waits for the bot (argv[3]) in the channel, then samples, interleaved: the raw
 * hop (asker → peer), the echo relay (asker → the echo client's process → asker) and the command round
 * trip: the asker types `!ack <n>` in the channel (a fresh incident each time) and waits for the bot's
 * announcement of it, which goes out only once the acknowledgement is committed. Prints the samples as
 * JSON.
 */
import { performance } from 'node:perf_hooks';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';

const [portArg, botNick, channel, samplesArg, warmupArg, gapArg, echoReply] = process.argv.slice(2);
const port = Number(portArg);
const samples = Number(samplesArg);
const warmup = Number(warmupArg);
const gapMs = Number(gapArg);

async function timed(
  client: IrcTestClient,
  send: () => void,
  arrived: (line: ReceivedLine) => boolean,
): Promise<number> {
  const from = client.lines.length;
  const started = performance.now();
  send();
  const line = await client.waitFor(arrived, { from, timeoutMs: 10_000 });
  return line.at - started;
}

const privmsg = (from: string, text: string) => (line: ReceivedLine) =>
  line.message.command === 'PRIVMSG' && line.message.nick === from && line.message.params[1] === text;

/** The bot's announcement that incident <n> was acknowledged, in the channel. */
const acknowledged = (incident: number) => (line: ReceivedLine) =>
  (line.message.command === 'PRIVMSG' || line.message.command === 'NOTICE') &&
  line.message.nick === botNick &&
  line.message.params[0] === channel &&
  (line.message.params[1] ?? '')
    .replace(/[\x02\x0f]/g, '')
    .startsWith(`Incident #${incident} acknowledged by`);

const [asker, peer] = await Promise.all(
  ['asker', 'peer'].map((nick) => IrcTestClient.connect({ port, nick })),
);
if (!asker || !peer) throw new Error('test clients missing');
const joinedFrom = asker.lines.length;
await asker.join(channel as string);
// The bot is there already (listed in NAMES) or joins after us.
await asker.waitFor(
  (line) =>
    (line.message.command === 'JOIN' && line.message.nick === botNick) ||
    (line.message.command === '353' &&
      (line.message.params[3] ?? '').split(' ').some((name) => name.replace(/^[@+%&~]/, '') === botNick)),
  { from: joinedFrom, timeoutMs: 20_000, what: 'the bot in the channel' },
);
const hops: number[] = [];
const relays: number[] = [];
const trips: number[] = [];
for (let index = 0; index < warmup + samples; index += 1) {
  const hop = await timed(peer, () => asker.say('peer', `hop ${index}`), privmsg('asker', `hop ${index}`));
  const relay = await timed(asker, () => asker.say('echo', '!echo'), privmsg('echo', echoReply as string));
  const incident = index + 1;
  const trip = await timed(
    asker,
    () => asker.say(channel as string, `!ack ${incident}`),
    acknowledged(incident),
  );
  if (index >= warmup) {
    hops.push(hop);
    relays.push(relay);
    trips.push(trip);
  }
  await new Promise((resolve) => setTimeout(resolve, gapMs));
}
for (const client of [asker, peer]) client.close();
process.stdout.write(JSON.stringify({ hops, relays, trips }));
