/**
 * The chat stage of the soak: the real firebell process (SQLite) on a real ngIRCd behind the recording tap
 * and on the Matrix test homeserver in its own process (matrix-tap.ts), incidents declared by a reporter
 * on IRC and escalated through every tier in both IRC channels and the Matrix room of their group, the
 * seeded faults of `fault-plan.ts` (SIGKILL at chosen moments, SIGTERM, the IRC server killed or frozen,
 * Matrix 429/500/slow/lost answers in bursts, the store's disk full), and a fuzzer saying hostile lines
 * throughout. At the end firebell is stopped, the store says which incidents were committed, and
 * demands.ts, irc-wire.ts and matrix-wire.ts turn store, outages and taps into the checker's input.
 *
 * With `database`, the same stage runs two firebell processes on that PostgreSQL database instead
 * (soaked-pair.ts): the process faults go to the active one, the standby takes over, and one more fault
 * freezes the active one past its lease (`sigstop-past-lease`), after which it must say nothing new.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ngircd } from '../test/servers/ngircd.js';
import type { CheckInput, Crash, Fenced, ForbiddenCommand, HostileLine, Interval } from './checker.js';
import { ACKER, ackable } from './acks.js';
import { fuzzLine } from './chat-fuzz.js';
import { demandsOf, faultAt, IRC, MATRIX, type FaultWindow } from './demands.js';
import { fillDisk, freeDisk, storeLogEvent, WAL_HEADER_BYTES } from './disk-full.js';
import { isMatrixFault, isSigkill, planFaults, type FaultCounts, type FaultStep } from './fault-plan.js';
import { IrcTap } from './irc-tap.js';
import { SoakIrcUser } from './irc-user.js';
import { ircSource, wireOf } from './irc-wire.js';
import { matrixBurst } from './matrix-faults.js';
import { MatrixTap } from './matrix-tap.js';
import { matrixWireOf } from './matrix-wire.js';
import { readStoredIncidentsPg, type SoakDatabase } from './pg-store.js';
import type { Random } from './random.js';
import {
  BOT_NICK,
  DATABASE_URL_ENV,
  GROUPS,
  IRC_LINES_PER_SECOND,
  LEASE_SECONDS,
  MATRIX_BOT,
  MATRIX_ROOM_OWNER,
  MATRIX_SERVER,
  MATRIX_TOKEN_ENV,
  TIER_CONTACTS,
  writeSoakConfig,
  type SoakGroup,
} from './soak-config.js';
import { SoakedFirebell } from './soaked-firebell.js';
import { SoakedPair } from './soaked-pair.js';
import { readStoredIncidents } from './stored-incidents.js';

export interface ChatStageOptions {
  readonly random: Random;
  readonly faults: FaultCounts;
  readonly fuzzLines: number;
  readonly fuzzIntervalMs: number;
  readonly log: (line: string) => void;
  /** A file to write the raw record into (outages, fault windows, stored incidents, tapped lines). */
  readonly recordTo?: string | undefined;
  /** Two instances on this PostgreSQL database instead of one on SQLite. */
  readonly database?: SoakDatabase | undefined;
}

export interface ChatStageResult {
  readonly input: Omit<CheckInput, 'lateAfterMs' | 'exercised'>;
  readonly injected: Readonly<Record<string, number>>;
  readonly fuzzed: number;
  readonly incidents: number;
  /** What the Matrix side saw: events in the rooms, sends, repeats of a known transaction id, faults. */
  readonly matrix: {
    readonly events: number;
    readonly sends: number;
    readonly resent: number;
    readonly faulted: number;
  };
  /** Full-disk stretches: how long the store refused writes; how often its size was not limit enough. */
  readonly disk: { readonly refusedMs: readonly number[]; readonly untaken: number };
  /** Two instances: how often the active one lost its lease by itself (exit 3) and the standby took over. */
  readonly leasesLost: number;
}

const MINUTE_MS = 60_000;
const READY_TIMEOUT_MS = 45_000;
/** The grace in soak-config.ts (2 s) plus the 5 s a stuck stop gets, plus slack for a loaded machine. */
const STOP_DEADLINE_MS = 12_000;
/** A resumed instance whose lease lapsed notices within a lease by its own clock; slack for the load. */
const FENCED_EXIT_DEADLINE_MS = LEASE_SECONDS * 1_000 + 5_000;
/** After the last fault's recovery, time for its backlog (IRC pacing: 10 lines/s) before the end. */
const BACKLOG_DRAIN_MS = 10_000;
/** How long after a process died the tap may still read lines it wrote before (same event loop). */
const TAP_SLACK_MS = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
const CHANNELS = GROUPS.flatMap((group) => [group.channel, group.mirror]);

/** Due times of each tier after the announcement, and the whole escalation's length, per group. */
function tierOffsets(group: SoakGroup): number[] {
  let at = 0;
  return group.policy.tiers.map((tier) => (at += tier.afterMinutes * MINUTE_MS));
}
const ESCALATION_MS = Math.max(
  ...GROUPS.map((group) =>
    Math.max(
      (tierOffsets(group).at(-1) ?? 0) + group.policy.exhaustedAfterMinutes * MINUTE_MS,
      group.policy.promptAfterMinutes * MINUTE_MS,
    ),
  ),
);

export async function runChatStage(options: ChatStageOptions): Promise<ChatStageResult> {
  const { random, log } = options;
  const root = mkdtempSync(join(tmpdir(), 'firebell-soak-chat-'));
  const storePath = join(root, 'data', 'firebell.sqlite');
  const [server, matrix] = await Promise.all([
    Ngircd.start(),
    MatrixTap.start({
      serverName: MATRIX_SERVER,
      bot: MATRIX_BOT,
      people: [MATRIX_ROOM_OWNER, ...Object.values(TIER_CONTACTS)],
      rooms: GROUPS.map((group) => group.room.slice(1, group.room.indexOf(':'))),
    }),
  ]);
  const tap = await IrcTap.start(server.port);
  const database = options.database;
  const configDir = writeSoakConfig(root, {
    ircPort: tap.port,
    homeserver: matrix.url,
    store: database ? 'postgres' : 'sqlite',
  });
  const crashes: Crash[] = [];
  const windows: FaultWindow[] = [];
  const outages: { [IRC]: Interval[]; [MATRIX]: Interval[] } = { [IRC]: [], [MATRIX]: [] };
  const storeDown: Interval[] = [];
  const crashTimes: Array<number | Interval> = [];
  const fenced: Fenced[] = [];
  let leasesLost = 0;
  const injected: Record<string, number> = {};
  const forbidden: ForbiddenCommand[] = [];
  const hostile: HostileLine[] = [];
  const disk = { refusedMs: [] as number[], untaken: 0 };
  // The journal's own words on when the store refused writes and took them again (disk-full.ts).
  let storeFailingAt: number | undefined;
  const firebell = new (database ? SoakedPair : SoakedFirebell)(
    configDir,
    (crash) => crashes.push({ fault: faultAt(crash.at, windows), at: crash.at, detail: crash.detail }),
    STOP_DEADLINE_MS,
    {
      env: {
        [MATRIX_TOKEN_ENV]: matrix.bot.token,
        ...(database ? { [DATABASE_URL_ENV]: database.url } : {}),
      },
      onStderr: (line) => {
        const event = storeLogEvent(line);
        if (event?.kind === 'failing') storeFailingAt ??= event.at;
        if (event?.kind === 'works' && storeFailingAt !== undefined) {
          storeDown.push({ from: storeFailingAt, to: event.at });
          storeFailingAt = undefined;
        }
      },
    },
    // A pair's instance that lost its lease by itself: the standby takes over, as after a SIGKILL.
    (at) => {
      leasesLost += 1;
      crashTimes.push(at);
    },
  );
  const reporter = new SoakIrcUser(
    server.port,
    'reporter',
    GROUPS.map((group) => group.channel),
  );
  const fuzzer = new SoakIrcUser(
    server.port,
    'mallory',
    GROUPS.map((group) => group.channel),
  );
  let declared = 0;
  let lastDeclaredAt = 0;
  let fuzzed = 0;
  let stopFuzzing = false;

  /** Incidents seen announced on the tap: number → group and when. */
  const announced = new Map<number, { group: SoakGroup; at: number }>();
  let scanned = 0;
  const scanTap = (): void => {
    for (; scanned < tap.lines.length; scanned += 1) {
      const line = tap.lines[scanned];
      const match = line && /^NOTICE (\S+) :Incident \x02#(\d+)\x0f declared by /.exec(line.raw);
      const group = match && GROUPS.find((candidate) => candidate.channel === match[1]);
      if (match && group && !announced.has(Number(match[2])))
        announced.set(Number(match[2]), { group, at: line.at });
    }
  };

  /**
   * Waits until firebell (re)joined every IRC channel after `since` and its Matrix adapter syncs again:
   * when it can send on each network again. After a fault of the active instance of a pair (`takeover`),
   * the Matrix side is back when the instance that took over syncs.
   */
  const ready = async (
    since: number,
    after: { readonly startedAt?: number; readonly takeover?: boolean } = {},
  ): Promise<{ irc: number; matrix: number }> => {
    // After a restart only the new process counts: one stopping on SIGTERM still syncs during its grace.
    const startedAt = after.startedAt ?? since;
    const deadline = Date.now() + READY_TIMEOUT_MS;
    let irc: number | undefined;
    for (;;) {
      // One JOIN may name several channels (`JOIN #web,#web-ops`), keys after a space.
      const joined = new Set(
        tap.lines
          .filter((line) => line.at >= startedAt && line.raw.startsWith('JOIN '))
          .flatMap((l) => (l.raw.slice(5).split(' ')[0] ?? '').split(',')),
      );
      if (irc === undefined && CHANNELS.every((channel) => joined.has(channel))) irc = Date.now();
      // A sync the homeserver logs just after a SIGKILL or a pause may be the old instance's, begun before.
      const tookOver =
        after.takeover && firebell instanceof SoakedPair ? firebell.takeoverSince(since) : startedAt;
      const synced = tookOver === undefined ? undefined : matrix.syncedAfter(tookOver);
      if (irc !== undefined && synced !== undefined) return { irc, matrix: synced };
      if (Date.now() > deadline) {
        const what = irc === undefined ? 'rejoin IRC' : 'sync with Matrix';
        crashes.push({ fault: faultAt(since, windows), at: since, detail: `firebell did not ${what}` });
        return { irc: irc ?? Date.now(), matrix: synced ?? Date.now() };
      }
      if (!firebell.running) firebell.start();
      await sleep(50);
    }
  };

  const declare = async (groupIndex: number): Promise<void> => {
    const group = GROUPS[groupIndex] ?? GROUPS[0];
    if (!group || !(await reporter.ensureConnected())) return;
    declared += 1;
    lastDeclaredAt = Date.now();
    reporter.say(
      group.channel,
      `!incident sk${declared} ${random.pick(['disk full', 'gate down', 'db slow'])}`,
    );
  };

  /** False while firebell restarts or the IRC server is down: a Matrix burst waits for the next calm. */
  let reachable = true;

  const restart = async (fault: string, killedAt: number): Promise<void> => {
    // A pair's standby takes over by itself; the stopped one is started again after that, as the standby.
    const startedAt = Date.now();
    if (!database) firebell.start();
    const back = await ready(killedAt, database ? { takeover: true } : { startedAt, takeover: true });
    if (database) firebell.start();
    reachable = true;
    outages[IRC].push({ from: killedAt, to: back.irc });
    outages[MATRIX].push({ from: killedAt, to: back.matrix });
    windows.push({ fault, from: killedAt, to: Math.max(back.irc, back.matrix) });
  };

  /** The next tier due within 15 s of an incident seen announced, or undefined. */
  const nextDue = (): number | undefined => {
    scanTap();
    const now = Date.now();
    const dues = [...announced.values()].flatMap(({ group, at }) => tierOffsets(group).map((o) => at + o));
    return dues.filter((due) => due > now + 200 && due < now + 15_000).sort((a, b) => a - b)[0];
  };

  /** A burst of bad answers from the homeserver while firebell has something to say there. */
  const matrixFault = async (step: FaultStep): Promise<void> => {
    // Met by a restart a burst would be spent on the adapter's start, or not at all (nothing to send).
    while (!reachable) await sleep(100);
    await declare(random.below(GROUPS.length));
    const burst = await matrixBurst(matrix, step);
    // The homeserver refused or was slow: what it held back is the fault's, not firebell's lateness.
    outages[MATRIX].push({ from: burst.from, to: burst.to });
    windows.push({ fault: step.kind, from: burst.from, to: burst.to });
  };

  /** The store's files may not grow while a declaration arrives, then may again. */
  const diskFull = async (step: FaultStep): Promise<void> => {
    const pid = firebell.pid;
    if (pid === undefined) return;
    const from = Date.now();
    await fillDisk(pid, storePath);
    await declare(random.below(GROUPS.length));
    await sleep(Math.min(1_000, step.jitterMs));
    // A WAL just checkpointed is rewritten from its start, under the limit: the disk is made fuller.
    if (storeFailingAt === undefined) {
      disk.untaken += 1;
      await fillDisk(pid, storePath, WAL_HEADER_BYTES);
    }
    await sleep(step.jitterMs - 1_000);
    const refused = storeFailingAt;
    await freeDisk(pid);
    // Until the journal says the store works again (its retry backs off up to 30 s; here a few seconds).
    const deadline = Date.now() + 20_000;
    while (storeFailingAt !== undefined && Date.now() < deadline) await sleep(50);
    const to = Date.now();
    if (refused !== undefined) disk.refusedMs.push((storeDown.at(-1)?.to ?? to) - refused);
    // Nothing could be said meanwhile, on any network.
    for (const network of [IRC, MATRIX] as const) outages[network].push({ from, to });
    windows.push({ fault: step.kind, from, to });
  };

  const acked = new Set<number>();
  /** A contact acknowledges an incident from the group's Matrix room (acks.ts); declares one if none. */
  const acknowledge = async (): Promise<void> => {
    const candidates = (): number[] => (scanTap(), ackable(announced, acked, tierOffsets, Date.now()));
    if (candidates().length === 0) {
      await declare(random.below(GROUPS.length));
      await sleep(1_500);
    }
    const open = candidates();
    const id = open.length > 0 ? random.pick(open) : undefined;
    const group = id === undefined ? undefined : announced.get(id)?.group;
    if (id === undefined || !group) return;
    acked.add(id);
    matrix.post(ACKER, group.room, `!ack ${id}`);
  };

  /** The active instance frozen until the standby took over (and a while longer), then resumed. */
  const pausePastLease = async (step: FaultStep): Promise<void> => {
    if (!(firebell instanceof SoakedPair)) return;
    await declare(random.below(GROUPS.length));
    // A standby holds no chat connection: every IRC connection open now is the active instance's.
    const from = tap.openConnections().map(ircSource);
    const pausedAt = Date.now();
    const paused = firebell.pause();
    if (!paused) return;
    reachable = false;
    const back = await ready(pausedAt, { takeover: true });
    await sleep(step.jitterMs);
    const resumedAt = Date.now();
    const exitedAt = await firebell.resume(paused, FENCED_EXIT_DEADLINE_MS);
    reachable = true;
    fenced.push({ from, pausedAt, resumedAt });
    // What it had committed and queued before the pause may still go out, as IRC's one repeat.
    crashTimes.push({ from: pausedAt, to: exitedAt });
    outages[IRC].push({ from: pausedAt, to: back.irc });
    outages[MATRIX].push({ from: pausedAt, to: back.matrix });
    windows.push({ fault: step.kind, from: pausedAt, to: Math.max(back.irc, back.matrix, exitedAt) });
    firebell.start();
  };

  const inject = async (step: FaultStep): Promise<void> => {
    injected[step.kind] = (injected[step.kind] ?? 0) + 1;
    if (step.kind === 'sigstop-past-lease') return pausePastLease(step);
    if (step.kind === 'ack') {
      const at = Date.now();
      await acknowledge();
      windows.push({ fault: step.kind, from: at, to: Date.now() });
      return;
    }
    if (isMatrixFault(step.kind)) return matrixFault(step);
    if (step.kind === 'disk-full') return diskFull(step);
    if (step.kind === 'sigkill-after-command') {
      await declare(random.below(GROUPS.length));
      await sleep(step.jitterMs);
    } else if (step.kind === 'sigkill-at-due') {
      let due = nextDue();
      if (due === undefined) {
        await declare(random.below(GROUPS.length));
        await sleep(1_500);
        due = nextDue();
      }
      await sleep((due ?? Date.now()) + step.jitterMs - Date.now());
    } else if (step.kind === 'ack-then-sigkill') {
      await acknowledge();
      await sleep(step.jitterMs);
    } else if (step.kind === 'sigkill-outbox') {
      const group = random.below(GROUPS.length);
      const before = Date.now();
      for (let n = 0; n < 5; n += 1) await declare(group);
      await sleep(1_000);
      scanTap();
      const burst = [...announced.values()].filter((seen) => seen.at >= before);
      const first = burst.length > 0 ? Math.min(...burst.map((seen) => seen.at)) : Date.now();
      const offset = tierOffsets(GROUPS[group] ?? GROUPS[0]!)[0] ?? 0;
      await sleep(first + offset + step.jitterMs - Date.now());
    } else if (step.kind === 'irc-server-kill') {
      const at = Date.now();
      crashTimes.push(at);
      reachable = false;
      await server.crash();
      await sleep(step.jitterMs);
      await server.restart();
      const back = await ready(at);
      reachable = true;
      outages[IRC].push({ from: at, to: back.irc });
      windows.push({ fault: step.kind, from: at, to: back.irc });
      return;
    } else if (step.kind === 'irc-server-stall') {
      const at = Date.now();
      server.freeze();
      await sleep(step.jitterMs);
      server.thaw();
      outages[IRC].push({ from: at, to: Date.now() });
      windows.push({ fault: step.kind, from: at, to: Date.now() });
      return;
    } else {
      await sleep(step.jitterMs);
    }
    const at = Date.now();
    reachable = false;
    await firebell.stop(isSigkill(step.kind) ? 'SIGKILL' : 'SIGTERM');
    // Until its exit was seen, and a moment more: what it wrote just before may reach the tap after.
    if (isSigkill(step.kind)) crashTimes.push({ from: at, to: Date.now() + TAP_SLACK_MS });
    await restart(step.kind, at);
  };

  const fuzzLoop = async (): Promise<void> => {
    const targets = {
      channels: GROUPS.map((group) => group.channel),
      bot: BOT_NICK,
      nick: fuzzer.nick,
      incidents: () => [...announced.keys()],
    };
    while (!stopFuzzing && fuzzed < options.fuzzLines) {
      await sleep(options.fuzzIntervalMs);
      if (!(await fuzzer.ensureConnected())) continue;
      const line = fuzzLine(random, fuzzed, targets);
      const sentAt = Date.now();
      if (!fuzzer.say(line.target, line.text)) continue;
      fuzzed += 1;
      if (line.hostile) hostile.push(line.hostile);
      for (const effect of line.effects ?? [])
        forbidden.push({ id: `mallory to ${line.target}: ${line.text.toString('utf8')}`, sentAt, effect });
    }
  };

  const planned = planFaults(random, options.faults, GROUPS.length);
  // The homeserver's faults are independent of firebell's: its bursts run beside the process, IRC and
  // disk faults (a burst may meet a restart), spread over about the same stretch of time.
  const steps = planned.filter((step) => !isMatrixFault(step.kind));
  const matrixSteps = planned.filter((step) => isMatrixFault(step.kind));
  const stretch = Math.max(1, steps.length / Math.max(1, matrixSteps.length));
  const started = Date.now();
  firebell.start();
  await ready(started);
  const fuzzing = fuzzLoop();
  let done = 0;
  const progress = (): void => {
    done += 1;
    if (done % 10 === 0 || done === planned.length)
      log(`chat: ${done}/${planned.length} faults, ${declared} declared, ${fuzzed} fuzzed lines`);
  };
  const matrixFaults = (async (): Promise<void> => {
    for (const step of matrixSteps) {
      await sleep(step.pauseMs * stretch);
      await inject(step);
      progress();
    }
  })();
  for (const step of steps) {
    for (const group of step.declare) await declare(group);
    await sleep(step.pauseMs);
    await inject(step);
    progress();
  }
  await matrixFaults;
  // Every escalation runs to its end (and the fuzzer to its count) with no further fault, and what the
  // last recovery left queued drains (the final stop's grace is 2 s; a long takeover leaves more).
  const recovered = Math.max(0, ...windows.map((window) => window.to));
  const quietUntil = Math.max(lastDeclaredAt + ESCALATION_MS + 6_000, recovered + BACKLOG_DRAIN_MS);
  while (Date.now() < quietUntil || fuzzed < options.fuzzLines) {
    if (Date.now() - started > 60 * MINUTE_MS) break;
    await sleep(250);
  }
  stopFuzzing = true;
  await fuzzing;
  const endedAt = Date.now();
  await (firebell instanceof SoakedPair ? firebell.stopAll() : firebell.stop('SIGTERM'));
  reporter.close();
  fuzzer.close();
  await Promise.all([tap.stop(), matrix.stop()]);
  await server.stop();

  const incidents = database ? await readStoredIncidentsPg(database) : readStoredIncidents(storePath);
  rmSync(root, { recursive: true, force: true });
  if (options.recordTo)
    writeFileSync(
      options.recordTo,
      JSON.stringify({
        outages,
        storeDown,
        windows,
        crashes,
        crashTimes,
        fenced,
        incidents: incidents.map((i) => ({ ...i, pagedAt: [...i.pagedAt] })),
        tap: tap.lines,
        matrix: { rooms: matrix.rooms, events: matrix.events, requests: matrix.requests },
      }),
    );
  const all = demandsOf(incidents, GROUPS, windows);
  const tooLate = new Set(all.filter((demand) => demand.dueAt > endedAt).map((demand) => demand.id));
  const sends = matrix.requests.filter((request) => request.route === 'send');
  const txnIds = sends.flatMap((request) => (request.txnId === undefined ? [] : [request.txnId]));
  return {
    input: {
      demands: all.filter((demand) => !tooLate.has(demand.id)),
      wire: [
        ...wireOf(tap.lines, tooLate),
        ...matrixWireOf(matrix.events, (roomId) => matrix.aliasOf(roomId), tooLate),
      ],
      forbidden,
      hostile,
      crashes,
      // IRC's rule allows one repeat per crash; Matrix allows none (transaction ids).
      repeatAfterCrash: { [IRC]: crashTimes },
      outages,
      storeDown,
      pacingMs: { [IRC]: 1000 / IRC_LINES_PER_SECOND },
      fenced,
    },
    injected,
    fuzzed,
    incidents: incidents.length,
    leasesLost,
    matrix: {
      events: matrix.events.length,
      sends: sends.length,
      resent: txnIds.length - new Set(txnIds).size,
      faulted: matrix.requests.filter((request) => request.fault !== undefined).length,
    },
    disk,
  };
}
