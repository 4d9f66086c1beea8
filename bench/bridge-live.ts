/**
 * The bridge on loopback servers (InspIRCd+Anope and the test homeserver, see
 * test/core/bridge/live-world.ts), measured against baselines taken in the same run, interleaved round
 * by round so that both meet the same machine:
 *   - each server's raw hop: one person says something, another receives it;
 *   - a bare relay: a client on each network that copies a line from one side to the other with no
 *     logic at all. Its path is firebell's exactly (an IRC hop and a Matrix hop), so what firebell adds
 *     is its relay latency minus the bare relay's, at the same percentile;
 *   - firebell: IRC → Matrix (less the 100 ms it holds a line on purpose, waiting for more lines from the
 *     same person to send as one Matrix message) and Matrix → IRC.
 * Then sustained throughput: Matrix → IRC at firebell's configured IRC pacing, IRC → Matrix at a steady
 * 40 lines/s from one person (under the test ircd's flood limit), counting every line at the far end.
 */
import { TestMatrixClient, type SyncedEvent } from '../test/matrix-homeserver/test-client.js';
import { IrcTestClient, type ReceivedLine } from '../test/servers/irc-test-client.js';
import { CHANNEL, inChannel, startLiveWorld } from '../test/core/bridge/live-world.js';
import { percentile, type BenchFigure } from './report.js';

const ROUNDS = 400;
const WARMUP = 20;
const HOLD_MS = 100;
const ADDED_TARGET_MS = 2;
const PACING = { burst: 5, linesPerSecond: 20, queueLimit: 1000 };
const BURST = 100;
const IRC_LINES = 200;
const IRC_LINES_PER_SECOND = 40;
const Z = '\u200b';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureLive(): Promise<BenchFigure[]> {
  const w = await startLiveWorld({
    pacing: PACING,
    // The raw senders and the bare relay are not firebell's business.
    bridge: { ignoreIrcNicks: ['^(raw|copier)$'], ignoreMatrixUsers: ['^@(raw|copier):'] },
  });
  const rawMatrixUser = w.hs.createUser('raw');
  const copierMatrixUser = w.hs.createUser('copier');
  w.hs.join(rawMatrixUser.userId, w.roomId);
  w.hs.join(copierMatrixUser.userId, w.roomId);
  const rawIrc = await IrcTestClient.connect({ port: w.ircd.port, nick: 'raw' });
  const copierIrc = await IrcTestClient.connect({ port: w.ircd.port, nick: 'copier' });
  const rawMatrix = new TestMatrixClient(w.hs.url, rawMatrixUser.token);
  const copierMatrix = new TestMatrixClient(w.hs.url, copierMatrixUser.token);
  try {
    await rawIrc.join(CHANNEL);
    await copierIrc.join(CHANNEL);
    await inChannel(w.people.ana, 'copier');
    await rawMatrix.follow();
    // The bare relay: `copy N` from raw on one side is said by the copier on the other, nothing else.
    await copierMatrix.follow((event) => {
      if (event.event.sender === rawMatrixUser.userId && /^copy /.test(String(event.event.content.body)))
        copierIrc.say(CHANNEL, String(event.event.content.body));
    });
    let copying = true;
    const copyingIrc = (async () => {
      let from = 0;
      while (copying) {
        const line = await copierIrc
          .waitFor(
            (candidate) =>
              candidate.message.command === 'PRIVMSG' &&
              candidate.message.nick === 'raw' &&
              /^copy /.test(candidate.message.params[1] ?? ''),
            { from, timeoutMs: 500 },
          )
          .catch(() => undefined);
        if (!line) continue;
        from = copierIrc.lines.indexOf(line) + 1;
        void copierMatrix.send(w.roomId, { msgtype: 'm.text', body: line.message.params[1] });
      }
    })();

    const ana = w.people.ana;
    const anaMatrix = w.people.anaMatrix;
    const ircLine = (text: string, from: number): Promise<ReceivedLine> =>
      ana.waitFor((line) => line.message.command === 'PRIVMSG' && line.message.params[1] === text, {
        from,
        timeoutMs: 10_000,
      });
    const matrixEvent = (body: string): Promise<SyncedEvent> =>
      anaMatrix.waitFor((event) => event.event.content.body === body, 10_000);

    const samples = {
      ircHop: [] as number[],
      matrixHop: [] as number[],
      bareToMatrix: [] as number[],
      bareToIrc: [] as number[],
      toMatrix: [] as number[],
      toIrc: [] as number[],
    };
    for (let round = 0; round < WARMUP + ROUNDS; round += 1) {
      const keep = round >= WARMUP;
      const record = (list: number[], value: number): void => void (keep && list.push(value));
      let from = ana.lines.length;
      let start = performance.now();
      rawIrc.say(CHANNEL, `hop ${round}`);
      record(samples.ircHop, (await ircLine(`hop ${round}`, from)).at - start);

      start = performance.now();
      await rawMatrix.send(w.roomId, { msgtype: 'm.text', body: `hop ${round}` });
      record(samples.matrixHop, (await matrixEvent(`hop ${round}`)).receivedAt - start);

      start = performance.now();
      rawIrc.say(CHANNEL, `copy i${round}`);
      record(samples.bareToMatrix, (await matrixEvent(`copy i${round}`)).receivedAt - start);

      from = ana.lines.length;
      start = performance.now();
      await rawMatrix.send(w.roomId, { msgtype: 'm.text', body: `copy m${round}` });
      record(samples.bareToIrc, (await ircLine(`copy m${round}`, from)).at - start);

      start = performance.now();
      w.people.bob.say(CHANNEL, `relay i${round}`);
      record(samples.toMatrix, (await matrixEvent(`<bob> relay i${round}`)).receivedAt - start - HOLD_MS);

      from = ana.lines.length;
      start = performance.now();
      await w.people.zed.send(w.roomId, { msgtype: 'm.text', body: `relay m${round}` });
      record(samples.toIrc, (await ircLine(`<z${Z}ed> relay m${round}`, from)).at - start);

      ana.lines.length = 0;
      anaMatrix.forget();
      // One firebell IRC line per round of more than 100 ms (the hold) stays well under its pacing of 20
      // lines/s: its queue is empty every time.
    }
    copying = false;
    await copyingIrc;

    const figures: BenchFigure[] = [];
    const p = (list: number[], at: number): number => percentile(list, at);
    for (const [name, list] of [
      ['irc_raw_hop', samples.ircHop],
      ['matrix_raw_hop', samples.matrixHop],
    ] as const) {
      figures.push({
        name: `bridge.${name}_p50`,
        value: p(list, 50),
        unit: 'ms',
        note: `p99 ${p(list, 99).toFixed(2)} ms; one person says it, another receives it`,
      });
    }
    for (const [direction, relay, bare, hold] of [
      ['irc_to_matrix', samples.toMatrix, samples.bareToMatrix, ` less the ${HOLD_MS} ms coalescing hold`],
      ['matrix_to_irc', samples.toIrc, samples.bareToIrc, ''],
    ] as const) {
      const added99 = p(relay, 99) - p(bare, 99);
      figures.push(
        {
          name: `bridge.relay_${direction}_p50`,
          value: p(relay, 50),
          unit: 'ms',
          baseline: { name: 'bare relay p50', value: p(bare, 50), unit: 'ms' },
          note: `added ${(p(relay, 50) - p(bare, 50)).toFixed(2)} ms${hold}`,
        },
        {
          name: `bridge.relay_${direction}_p99`,
          value: p(relay, 99),
          unit: 'ms',
          baseline: { name: 'bare relay p99', value: p(bare, 99), unit: 'ms' },
          note: `added ${added99.toFixed(2)} ms${hold}; ${ROUNDS} rounds`,
          target: `added <= ${ADDED_TARGET_MS} ms at p99 with empty queues`,
          met: added99 <= ADDED_TARGET_MS,
        },
      );
    }

    // Matrix → IRC at the configured IRC pacing: every line arrives, at the configured rate.
    let from = ana.lines.length;
    let start = performance.now();
    for (let i = 0; i < BURST; i += 1)
      await w.people.zed.send(w.roomId, { msgtype: 'm.text', body: `burst ${i}` });
    await ircLine(`<z${Z}ed> burst ${BURST - 1}`, from);
    let elapsed = (performance.now() - start) / 1000;
    const arrivedIrc = ana.lines
      .slice(from)
      .filter((line) => /^<z\u200bed> burst \d+$/.test(line.message.params[1] ?? '')).length;
    const ircRate = arrivedIrc / elapsed;
    const configured = (BURST - PACING.burst) / PACING.linesPerSecond;
    figures.push({
      name: 'bridge.throughput_matrix_to_irc',
      value: ircRate,
      unit: 'lines/s',
      baseline: { name: 'configured IRC pacing', value: PACING.linesPerSecond, unit: 'lines/s' },
      note: `${arrivedIrc}/${BURST} arrived (burst ${PACING.burst}, so ${configured.toFixed(2)} s at best; took ${elapsed.toFixed(2)} s)`,
      target: 'zero loss, >= 90% of the configured rate',
      met: arrivedIrc === BURST && elapsed <= configured / 0.9 + 0.5,
    });

    // IRC → Matrix at a steady offered rate, raw first (the server's own delivery), then through firebell.
    const offer = async (client: IrcTestClient, prefix: string): Promise<void> => {
      for (let i = 0; i < IRC_LINES; i += 1) {
        client.say(CHANNEL, `${prefix} ${i}`);
        await sleep(1000 / IRC_LINES_PER_SECOND);
      }
    };
    from = ana.lines.length;
    start = performance.now();
    await offer(rawIrc, 'steady');
    await ircLine(`steady ${IRC_LINES - 1}`, from);
    const rawRate = IRC_LINES / ((performance.now() - start) / 1000);
    anaMatrix.forget();
    start = performance.now();
    await offer(w.people.bob, 'steady');
    const lines = new Set<string>();
    let events = 0;
    await anaMatrix.waitFor((event) => {
      const body = String(event.event.content.body);
      if (event.event.sender !== w.one.matrixUser.userId || !body.startsWith('<bob> steady')) return false;
      events += 1;
      for (const line of body.replace(/^<bob> /, '').split('\n')) lines.add(line);
      return lines.size === IRC_LINES;
    }, 30_000);
    elapsed = (performance.now() - start) / 1000;
    const matrixRate = lines.size / elapsed;
    figures.push({
      name: 'bridge.throughput_irc_to_matrix',
      value: matrixRate,
      unit: 'lines/s',
      baseline: { name: 'raw IRC delivery of the same offer', value: rawRate, unit: 'lines/s' },
      note: `${lines.size}/${IRC_LINES} lines arrived in ${events} Matrix messages (coalesced)`,
      target: 'zero loss, >= 90% of raw',
      met: lines.size === IRC_LINES && matrixRate >= 0.9 * rawRate,
    });
    return figures;
  } finally {
    await rawMatrix.stop();
    await copierMatrix.stop();
    await rawIrc.quit();
    await copierIrc.quit();
    await w.stop();
  }
}
