/**
 * A 429 storm on the Matrix side: 40 lines said on IRC by four people taking turns, each line after the
 * previous one reached the channel (so the bridge relays each as a message of its own), relayed by firebell as users run it (default timings and pacing, the store on a SQLite file) to a
 * homeserver that rate-limits events like Synapse's defaults (rc_message 0.2/s, burst 10, a 0.5 s pause
 * before each refusal). The figure is the time until every line was seen on Matrix and the number of
 * events it took, against the rate-limit minimum for 40 events (computed from the configured rate) and a
 * bare client sending the same 40 lines as 40 events on the same server in the same run (at the same time,
 * as another user: Synapse's limit is per user), honouring each 429's wait.
 */
import { DEFAULT_IRC_PACING } from '../src/config/schema.js';
import { startFirebellInstance } from '../test/core/bridge/firebell-instance.js';
import { CHANNEL, inChannel, ROOM } from '../test/core/bridge/live-world.js';
import { TestHomeserver } from '../test/matrix-homeserver/homeserver.js';
import { SYNAPSE_RC_MESSAGE } from '../test/matrix-homeserver/rate-limit.js';
import { TestMatrixClient } from '../test/matrix-homeserver/test-client.js';
import { InspircdWithAnope } from '../test/servers/inspircd-anope.js';
import { IrcTestClient } from '../test/servers/irc-test-client.js';
import { tempStoreFile } from './durable-store.js';
import type { BenchFigure } from './report.js';

const LINES = 40;
const PEOPLE = 4;
const PASSWORD = 'bot-one-pass';
const LIMIT = SYNAPSE_RC_MESSAGE;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The rate limit's minimum time for `events` events from a fresh bucket, in seconds. */
const minimumSeconds = (events: number): number => Math.max(0, events - LIMIT.burst) / LIMIT.perSecond;

export async function measureStorm(): Promise<BenchFigure[]> {
  const stops: (() => Promise<unknown> | unknown)[] = [];
  try {
    const ircd = await InspircdWithAnope.start({ floodBurst: 50, floodLinesPerSecond: 50 });
    stops.push(() => ircd.stop());
    const registering = await IrcTestClient.connect({ port: ircd.port, nick: 'fbone' });
    registering.say('NickServ', `REGISTER ${PASSWORD} fbone@firebell.test`);
    await registering.waitFor((line) => line.message.command === '900', { what: 'fbone registered' });
    await registering.quit();

    const hs = await TestHomeserver.start({ serverName: 'example.org', rateLimit: LIMIT });
    stops.push(() => hs.stop());
    const ana = hs.createUser('ana', { displayname: 'Ana' });
    const botUser = hs.createUser('firebell', { displayname: 'firebell' });
    const bareUser = hs.createUser('bare');
    const roomId = hs.createRoom(ana.userId, { preset: 'public_chat', room_alias_name: 'infra' });
    for (const user of [botUser, bareUser]) hs.join(user.userId, roomId);

    const storeFile = tempStoreFile();
    stops.push(() => storeFile.remove());
    const firebell = await startFirebellInstance({
      ircPort: ircd.port,
      nick: 'fbone',
      password: PASSWORD,
      channel: CHANNEL,
      homeserver: hs.url,
      matrixUser: botUser,
      room: ROOM,
      publicUrl: 'http://127.0.0.1:9',
      pacing: DEFAULT_IRC_PACING,
      storeFile: storeFile.path,
    });
    stops.push(() => firebell.firebell.stop());
    const people: IrcTestClient[] = [];
    for (let index = 1; index <= PEOPLE; index += 1) {
      const person = await IrcTestClient.connect({ port: ircd.port, nick: `p${index}` });
      stops.push(() => person.quit());
      await person.join(CHANNEL);
      people.push(person);
    }
    const listener = await IrcTestClient.connect({ port: ircd.port, nick: 'listener' });
    stops.push(() => listener.quit());
    await listener.join(CHANNEL);
    await inChannel(listener, 'fbone', 60_000);
    const watcher = new TestMatrixClient(hs.url, ana.token);
    await watcher.follow();
    stops.push(() => watcher.stop());

    const relayed = new Map<string, number>();
    let botEvents = 0;
    let bareSeen = 0;
    let bareDone = 0;
    let firebellDone = 0;
    const started = performance.now();
    const seen = watcher.waitFor((event) => {
      const body = String(event.event.content.body);
      if (event.event.sender === botUser.userId && body.includes('storm ')) {
        botEvents += 1;
        for (const line of body.split('\n')) {
          const text = line.replace(/^<p\d> /, '');
          relayed.set(text, (relayed.get(text) ?? 0) + 1);
        }
        if (relayed.size === LINES) firebellDone = event.receivedAt;
      }
      if (event.event.sender === bareUser.userId && (bareSeen += 1) === LINES) bareDone = event.receivedAt;
      return firebellDone > 0 && bareDone > 0;
    }, 600_000);
    const bare = bareClient(hs.url, bareUser.token, roomId);
    for (let index = 0; index < LINES; index += 1) {
      const from = listener.lines.length;
      (people[index % PEOPLE] as IrcTestClient).say(CHANNEL, `storm ${index}`);
      await listener.waitFor((line) => line.message.params[1] === `storm ${index}`, {
        from,
        timeoutMs: 10_000,
      });
    }
    await Promise.all([seen, bare]);

    const firebellSeconds = (firebellDone - started) / 1000;
    const bareSeconds = (bareDone - started) / 1000;
    const refusals = hs.requests.filter(
      (request) => request.limited && request.userId === botUser.userId,
    ).length;
    const exactlyOnce = [...relayed.values()].every((count) => count === 1) && relayed.size === LINES;
    const floor = minimumSeconds(botEvents);
    const rate = `${LIMIT.perSecond}/s after a burst of ${LIMIT.burst}`;
    return [
      {
        name: 'matrix.storm_40_lines_s',
        value: firebellSeconds,
        unit: 's',
        baseline: { name: `bare client, ${LINES} events`, value: bareSeconds, unit: 's' },
        note:
          `${botEvents} events (${refusals} refused with 429); rate-limit minimum ${minimumSeconds(LINES).toFixed(0)} s ` +
          `for ${LINES} events, ${floor.toFixed(1)} s for ${botEvents} (${rate}); every line ${exactlyOnce ? 'exactly once' : 'NOT exactly once'}`,
        target: `every line once, within the minimum for the events it sent + 1 s`,
        met: exactlyOnce && firebellSeconds <= floor + 1,
      },
      {
        name: 'matrix.storm_40_lines_events',
        value: botEvents,
        unit: 'events',
        baseline: { name: 'bare client', value: LINES, unit: 'events' },
        target: `a few events, not one per line (<= burst + 2 = ${LIMIT.burst + 2})`,
        met: botEvents <= LIMIT.burst + 2,
      },
    ];
  } finally {
    for (const stop of stops.reverse()) {
      try {
        await stop();
      } catch {
        // Keep stopping the rest.
      }
    }
  }
}

/** One event per line, each retried after a 429 for as long as the server asks (body, else header). */
async function bareClient(homeserver: string, token: string, roomId: string): Promise<void> {
  for (let index = 0; index < LINES; index += 1) {
    const path = `/_matrix/client/v3/rooms/${encodeURIComponent(roomId)}/send/m.room.message/bare${index}`;
    for (;;) {
      const response = await fetch(`${homeserver}${path}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ msgtype: 'm.text', body: `<p${(index % PEOPLE) + 1}> bare ${index}` }),
      });
      const body = (await response.json()) as { retry_after_ms?: number };
      if (response.ok) break;
      if (response.status !== 429) throw new Error(`the bare client's send failed: ${response.status}`);
      await sleep(body.retry_after_ms ?? Number(response.headers.get('retry-after') ?? '1') * 1000);
    }
  }
}
