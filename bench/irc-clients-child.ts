/**
 * The measuring side of the IRC round-trip benchmark, in a process of its own so that the clients' work
 * never shares the bot's event loop (as in real life, where people are elsewhere). Connects two clients
 * to the server on argv[2], waits for the bot (argv[3]) in the channel, then samples, interleaved: the raw
 * hop (asker → peer), the echo relay (asker → the echo client's process → asker) and the command round
 * trip: the asker types `!ack <n>` in the channel (a fresh incident each time) and waits for the bot's
 * announcement of it, which goes out only once the acknowledgement is committed. Halfway between two
 * samples it also times one bare fsync'd single-row commit on a file in argv[9] (the store's durability):
 * a commit after an idle second costs this disk several times what one right after another does, and
 * every acknowledgement comes after an idle wire, so this is the disk's share of a trip, measured in the
 * same conditions. Prints the samples as JSON.
 */
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase } from '../src/store/database.js';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';

const [portArg, botNick, channel, samplesArg, warmupArg, gapArg, echoReply, commitDir] =
  process.argv.slice(2);
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
const bare = openDatabase(join(commitDir as string, 'spaced-bare.sqlite'), { migrations: [] });
bare.exec('CREATE TABLE IF NOT EXISTS bare (id INTEGER PRIMARY KEY, value TEXT)');
const insert = bare.prepare('INSERT INTO bare (value) VALUES (?)');
const bareCommit = (index: number): number => {
  const started = performance.now();
  insert.run(`row ${index}`);
  return performance.now() - started;
};
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hops: number[] = [];
const relays: number[] = [];
const trips: number[] = [];
const commits: number[] = [];
for (let index = 0; index < warmup + samples; index += 1) {
  const hop = await timed(peer, () => asker.say('peer', `hop ${index}`), privmsg('asker', `hop ${index}`));
  const relay = await timed(asker, () => asker.say('echo', '!echo'), privmsg('echo', echoReply as string));
  const incident = index + 1;
  const trip = await timed(
    asker,
    () => asker.say(channel as string, `!ack ${incident}`),
    acknowledged(incident),
  );
  await pause(gapMs / 2);
  const commit = bareCommit(index);
  if (index >= warmup) {
    hops.push(hop);
    relays.push(relay);
    trips.push(trip);
    commits.push(commit);
  }
  await pause(gapMs / 2);
}
for (const client of [asker, peer]) client.close();
bare.close();
process.stdout.write(JSON.stringify({ hops, relays, trips, commits }));
