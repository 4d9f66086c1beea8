/**
 * The IRC stage of the soak: the real firebell process (SQLite) on a real ngIRCd behind the recording tap,
 * incidents declared by a reporter and escalated through every tier, the seeded faults of `fault-plan.ts`
 * (SIGKILL at chosen moments, SIGTERM, the server killed or frozen), and a fuzzer saying hostile lines
 * throughout. At the end firebell is stopped, the store says which incidents were committed, and
 * `irc-wire.ts` turns store, outages and tap into the checker's demands and wire.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ngircd } from '../test/servers/ngircd.js';
import { openDatabase } from '../src/store/database.js';
import type { CheckInput, Crash, ForbiddenCommand, HostileLine, Interval } from './checker.js';
import { fuzzLine } from './chat-fuzz.js';
import { isSigkill, planFaults, type FaultCounts, type FaultStep } from './fault-plan.js';
import { IrcTap } from './irc-tap.js';
import { BOT_NICK, GROUPS, writeSoakConfig, type SoakGroup } from './irc-soak-config.js';
import { SoakIrcUser } from './irc-user.js';
import { demandsOf, faultAt, IRC, wireOf, type FaultWindow, type StoredIncident } from './irc-wire.js';
import type { Random } from './random.js';
import { SoakedFirebell } from './soaked-firebell.js';

export interface IrcStageOptions {
  readonly random: Random;
  readonly faults: FaultCounts;
  readonly fuzzLines: number;
  readonly fuzzIntervalMs: number;
  readonly log: (line: string) => void;
  /** A file to write the raw record into (outages, fault windows, stored incidents, tapped lines). */
  readonly recordTo?: string | undefined;
}

export interface IrcStageResult {
  readonly input: Omit<CheckInput, 'lateAfterMs' | 'exercised'>;
  readonly injected: Readonly<Record<string, number>>;
  readonly fuzzed: number;
  readonly incidents: number;
}

const MINUTE_MS = 60_000;
const READY_TIMEOUT_MS = 45_000;
/** The grace in irc-soak-config.ts (2 s) plus the 5 s a stuck stop gets, plus slack for a loaded machine. */
const STOP_DEADLINE_MS = 12_000;
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

function readStore(path: string): StoredIncident[] {
  const db = openDatabase(path);
  try {
    const incidents = db.prepare('SELECT id, group_id FROM incidents ORDER BY id').all() as Array<{
      id: number;
      group_id: string;
    }>;
    const entries = db
      .prepare('SELECT incident_id, at, kind, detail FROM timeline ORDER BY incident_id, seq')
      .all() as Array<{ incident_id: number; at: number; kind: string; detail: string | null }>;
    return incidents.map((row) => {
      const own = entries.filter((entry) => entry.incident_id === row.id);
      const pagedAt = new Map<number, number>();
      for (const entry of own) {
        const tier = entry.kind === 'paged' ? /^tier (\d+):/.exec(entry.detail ?? '')?.[1] : undefined;
        if (tier !== undefined && !pagedAt.has(Number(tier))) pagedAt.set(Number(tier), entry.at);
      }
      return {
        id: row.id,
        group: row.group_id,
        detectedAt: own.find((entry) => entry.kind === 'detected')?.at ?? 0,
        announcedAt: own.find((entry) => entry.kind === 'announced')?.at,
        pagedAt,
      };
    });
  } finally {
    db.close();
  }
}

export async function runIrcStage(options: IrcStageOptions): Promise<IrcStageResult> {
  const { random, log } = options;
  const root = mkdtempSync(join(tmpdir(), 'firebell-soak-irc-'));
  const server = await Ngircd.start();
  const tap = await IrcTap.start(server.port);
  const configDir = writeSoakConfig(root, tap.port);
  const crashes: Crash[] = [];
  const windows: FaultWindow[] = [];
  const outages: Interval[] = [];
  const crashTimes: number[] = [];
  const injected: Record<string, number> = {};
  const forbidden: ForbiddenCommand[] = [];
  const hostile: HostileLine[] = [];
  const firebell = new SoakedFirebell(
    configDir,
    (crash) => crashes.push({ fault: faultAt(crash.at, windows), at: crash.at, detail: crash.detail }),
    STOP_DEADLINE_MS,
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

  /** Waits until firebell (re)joined every channel after `since`: when it can send again. */
  const ready = async (since: number): Promise<number> => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const joined = new Set(
        tap.lines
          .filter((line) => line.at >= since && line.raw.startsWith('JOIN '))
          .map((l) => l.raw.slice(5)),
      );
      if (CHANNELS.every((channel) => joined.has(channel))) return Date.now();
      if (Date.now() > deadline) {
        crashes.push({ fault: faultAt(since, windows), at: since, detail: 'firebell did not rejoin IRC' });
        return Date.now();
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

  const restart = async (fault: string, killedAt: number): Promise<void> => {
    firebell.start();
    const back = await ready(killedAt);
    outages.push({ from: killedAt, to: back });
    windows.push({ fault, from: killedAt, to: back });
  };

  /** The next tier due within 15 s of an incident seen announced, or undefined. */
  const nextDue = (): number | undefined => {
    scanTap();
    const now = Date.now();
    const dues = [...announced.values()].flatMap(({ group, at }) => tierOffsets(group).map((o) => at + o));
    return dues.filter((due) => due > now + 200 && due < now + 15_000).sort((a, b) => a - b)[0];
  };

  const inject = async (step: FaultStep): Promise<void> => {
    injected[step.kind] = (injected[step.kind] ?? 0) + 1;
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
      await server.crash();
      await sleep(step.jitterMs);
      await server.restart();
      const back = await ready(at);
      outages.push({ from: at, to: back });
      windows.push({ fault: step.kind, from: at, to: back });
      return;
    } else if (step.kind === 'irc-server-stall') {
      const at = Date.now();
      server.freeze();
      await sleep(step.jitterMs);
      server.thaw();
      outages.push({ from: at, to: Date.now() });
      windows.push({ fault: step.kind, from: at, to: Date.now() });
      return;
    } else {
      await sleep(step.jitterMs);
    }
    const at = Date.now();
    if (isSigkill(step.kind)) crashTimes.push(at);
    await firebell.stop(isSigkill(step.kind) ? 'SIGKILL' : 'SIGTERM');
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

  const steps = planFaults(random, options.faults, GROUPS.length);
  const started = Date.now();
  firebell.start();
  await ready(started);
  const fuzzing = fuzzLoop();
  let done = 0;
  for (const step of steps) {
    for (const group of step.declare) await declare(group);
    await sleep(step.pauseMs);
    await inject(step);
    done += 1;
    if (done % 10 === 0 || done === steps.length)
      log(`irc: ${done}/${steps.length} faults, ${declared} declared, ${fuzzed} fuzzed lines`);
  }
  // Every escalation runs to its end (and the fuzzer to its count) with no further fault.
  while (Date.now() < lastDeclaredAt + ESCALATION_MS + 6_000 || fuzzed < options.fuzzLines) {
    if (Date.now() - started > 60 * MINUTE_MS) break;
    await sleep(250);
  }
  stopFuzzing = true;
  await fuzzing;
  const endedAt = Date.now();
  await firebell.stop('SIGTERM');
  reporter.close();
  fuzzer.close();
  await tap.stop();
  await server.stop();

  const incidents = readStore(join(root, 'data', 'firebell.sqlite'));
  rmSync(root, { recursive: true, force: true });
  if (options.recordTo)
    writeFileSync(
      options.recordTo,
      JSON.stringify({
        outages,
        windows,
        crashTimes,
        incidents: incidents.map((i) => ({ ...i, pagedAt: [...i.pagedAt] })),
        tap: tap.lines,
      }),
    );
  const all = demandsOf(incidents, GROUPS, windows);
  const tooLate = new Set(all.filter((demand) => demand.dueAt > endedAt).map((demand) => demand.id));
  return {
    input: {
      demands: all.filter((demand) => !tooLate.has(demand.id)),
      wire: wireOf(tap.lines, tooLate),
      forbidden,
      hostile,
      crashes,
      repeatAfterCrash: { [IRC]: crashTimes },
      outages: { [IRC]: outages },
    },
    injected,
    fuzzed,
    incidents: incidents.length,
  };
}
