/**
 * `npm run bench -- intake`: monitoring intake as Alertmanager drives it, through HTTP, with the store at
 * synchronous=FULL. 10,000 alerts in 1,000 groups: each group is posted ten times, its payload holding one
 * more alert each time (Alertmanager re-sends the whole group when an alert joins it), so each group
 * declares an incident (the first ten) or joins the alert storm (the sample config's storm rule), then
 * updates it nine times, and every request is committed before its 202.
 * 32 groups are in flight at once, each group's posts in order, as Alertmanager's per-group pipeline sends
 * them, from a client in a process of its own. The baseline does the same HTTP work on the same listener stack: a bare fastify route that stores
 * each payload in SQLite (one row, one transaction at synchronous=FULL) before answering 202.
 *
 * Then the status page: its p99 latency with 1,000 incidents stored, against `/healthz` on the same
 * listener (the HTTP cost alone).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/core/clock.js';
import { DurableState } from '../src/core/durable-state.js';
import { Firebell } from '../src/core/firebell.js';
import { DEFAULT_STORM, policyForGroup } from '../src/core/settings.js';
import { silentLogger } from '../src/core/logger.js';
import { intakeRoutes } from '../src/http/intake-routes.js';
import { opsRoutes } from '../src/http/ops-routes.js';
import { siteRoutes } from '../src/http/site-routes.js';
import { startHttpServer, type HttpServer } from '../src/http/server.js';
import { Registry } from 'prom-client';
import { openDatabase } from '../src/store/database.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { benchConfig, TakingChannel } from './incidents-setup.js';
import { percentile, type Benchmark, type BenchFigure } from './report.js';
import { startChild } from './child-process.js';
import type { DriveResult } from './intake-client-child.js';

const GROUPS = 1_000;
const ALERTS_PER_GROUP = 10;
const IN_FLIGHT = 32;
const TARGET_PER_SECOND = 2_000;
const TOKEN = 'bench-token-0123456789abcdef';
const PAGE_SAMPLES = 300;
const HISTORY = 1_000;

/** Alertmanager's side runs in a process of its own, as it does in production, so its HTTP client does not
 * share firebell's event loop; it prints the seconds and the statuses. */
async function drive(url: string): Promise<DriveResult> {
  const child = await startChild('./intake-client-child.js', [
    url,
    TOKEN,
    String(GROUPS),
    String(ALERTS_PER_GROUP),
    String(IN_FLIGHT),
  ]);
  child.stop();
  return JSON.parse(child.ready) as DriveResult;
}

async function firebellRun(dir: string): Promise<{
  run: DriveResult;
  incidents: number;
  keys: number;
  commits: number;
  server: HttpServer;
  close: () => Promise<void>;
}> {
  const store = openSqliteStore(join(dir, 'firebell.sqlite'));
  const synchronous = Number(store.db.pragma('synchronous', { simple: true }));
  if (synchronous !== 2) throw new Error(`the store runs at synchronous=${synchronous}, not FULL`);
  const durable = await DurableState.open(store, { clock: systemClock, logger: silentLogger });
  const config = {
    ...benchConfig,
    intake: { group: 'infra', routes: [], flapWindowMinutes: 5, storm: DEFAULT_STORM },
    intakeTokens: { alertmanager: TOKEN },
  };
  const firebell = new Firebell({
    config,
    durable,
    networks: [new TakingChannel()],
    clock: systemClock,
    logger: silentLogger,
  });
  await firebell.start();
  const intake = firebell.intake;
  if (!intake) throw new Error('the intake was not built');
  const server = await startHttpServer({
    listen: '127.0.0.1:0',
    logger: silentLogger,
    plugins: [
      intakeRoutes({
        tokens: { alertmanager: TOKEN },
        receive: (alert) => {
          const release = durable.journal.hold('intake');
          try {
            return intake.receive(alert);
          } finally {
            release();
          }
        },
        committed: () => durable.journal.barrier(),
        logger: silentLogger,
      }),
      siteRoutes({
        title: 'firebell',
        playbookUrl: 'https://example.org/playbook',
        publicUrl: 'http://127.0.0.1/',
        playbookHtml: () => '',
        commits: durable.journal,
        source: { store, currentAlert: () => durable.status.currentAlert(), now: () => systemClock.now() },
      }),
      opsRoutes({ readiness: firebell, registry: new Registry() }),
    ],
  });
  const run = await drive(`${server.url}/hooks/alertmanager`);
  await firebell.idle();
  await fillHistory(firebell, config);
  const open = firebell.service.open();
  const openIds = new Set(open.map((incident) => incident.id));
  // Every alert group maps to an open incident: its own, or the storm's it joined.
  const keys = durable.keyValues
    .entries('intake')
    .filter(
      ([key, value]) =>
        !key.startsWith('storm:') && openIds.has((JSON.parse(value) as { incident: number }).incident),
    );
  return {
    run,
    incidents: open.length,
    keys: keys.length,
    commits: durable.journal.commits,
    server,
    close: async () => {
      await server.close();
      await firebell.stop();
      await store.close();
    },
  };
}

/** The status page is measured with HISTORY incidents declared and resolved in chat before it. */
async function fillHistory(firebell: Firebell, config: typeof benchConfig): Promise<void> {
  const by = { name: 'bench', network: 'shell' };
  for (let index = 0; index < HISTORY; index += 1) {
    const incident = firebell.service.declare({
      summary: `bench history incident ${index}`,
      group: 'infra',
      by,
      policy: policyForGroup(config, 'infra'),
      source: { kind: 'chat' },
    });
    firebell.service.send(incident.id, {
      type: 'incident.resolve',
      at: systemClock.now(),
      by,
      note: null,
    });
  }
  await firebell.idle();
}

async function bareRun(dir: string): Promise<DriveResult> {
  const db = openDatabase(join(dir, 'bare.sqlite'), { migrations: [] });
  db.exec('CREATE TABLE alerts (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO alerts (body) VALUES (?)');
  const store = db.transaction((body: string) => insert.run(body));
  const server = await startHttpServer({
    listen: '127.0.0.1:0',
    logger: silentLogger,
    plugins: [
      async (app) => {
        app.post('/hooks/alertmanager', async (request, reply) => {
          store(JSON.stringify(request.body));
          return reply.status(202).send({ stored: true });
        });
      },
    ],
  });
  try {
    return await drive(`${server.url}/hooks/alertmanager`);
  } finally {
    await server.close();
    db.close();
  }
}

async function latencies(url: string): Promise<number[]> {
  const samples: number[] = [];
  for (let index = 0; index < PAGE_SAMPLES; index += 1) {
    const started = performance.now();
    const response = await fetch(url);
    await response.arrayBuffer();
    samples.push(performance.now() - started);
  }
  return samples;
}

export async function measureIntake(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'firebell-intake-bench-'));
  try {
    const bare = await bareRun(dir);
    const ours = await firebellRun(dir);
    try {
      const alerts = GROUPS * ALERTS_PER_GROUP;
      const rate = alerts / ours.run.seconds;
      const lost = alerts - ours.run.accepted;
      // The sample config's storm rule: the first groups are incidents of their own, the rest one storm.
      const expected = DEFAULT_STORM.groups === 0 ? GROUPS : Math.min(GROUPS, DEFAULT_STORM.groups + 1);
      const duplicates = Math.max(0, ours.incidents - expected);
      const unmapped = GROUPS - ours.keys;
      const page = await latencies(`${ours.server.url}/`);
      const health = await latencies(`${ours.server.url}/healthz`);
      return [
        {
          name: 'intake.alerts_per_second',
          value: rate,
          unit: 'alerts/s',
          baseline: {
            name: 'bare fastify + one SQLite row per request',
            value: alerts / bare.seconds,
            unit: 'alerts/s',
          },
          note: `${alerts} alerts in ${GROUPS} groups as ${alerts} requests (${IN_FLIGHT} groups in flight), each committed at synchronous=FULL before its 202 (${ours.commits} commits); ${ours.run.accepted} accepted, ${lost} lost, ${ours.incidents} incidents for ${GROUPS} groups (${DEFAULT_STORM.groups} of their own, the rest one alert storm), ${unmapped} groups without an incident, ${duplicates} duplicates`,
          target: `>= ${TARGET_PER_SECOND} alerts/s, 0 lost, 0 duplicate incidents`,
          met:
            rate >= TARGET_PER_SECOND &&
            lost === 0 &&
            duplicates === 0 &&
            unmapped === 0 &&
            ours.incidents === expected,
        },
        {
          name: 'site.front_page_p99',
          value: percentile(page, 99),
          unit: 'ms',
          baseline: { name: '/healthz p99 on the same listener', value: percentile(health, 99), unit: 'ms' },
          note: `p50 ${percentile(page, 50).toFixed(2)} ms; ${HISTORY} resolved incidents in the history and ${ours.incidents} open; ${PAGE_SAMPLES} requests in turn`,
        },
      ];
    } finally {
      await ours.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const benchmark: Benchmark = { name: 'intake', run: measureIntake };
