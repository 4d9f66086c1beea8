/**
 * `npm run bench -- intake`: monitoring intake as Alertmanager drives it, through HTTP, with the store at
 * synchronous=FULL. 10,000 alerts in 1,000 groups: each group is posted ten times, its payload holding one
 * more alert each time (Alertmanager re-sends the whole group when an alert joins it), so each group
 * declares one incident and then updates it nine times, and every request is committed before its 202.
 * 32 groups are in flight at once, each group's posts in order, as Alertmanager's per-group pipeline sends
 * them. The baseline does the same HTTP work on the same listener stack: a bare fastify route that stores
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
import type { Delivery, DeliveryOutcome } from '../src/core/delivery.js';
import { DurableState } from '../src/core/durable-state.js';
import { Firebell } from '../src/core/firebell.js';
import { silentLogger } from '../src/core/logger.js';
import { intakeRoutes } from '../src/http/intake-routes.js';
import { opsRoutes } from '../src/http/ops-routes.js';
import { siteRoutes } from '../src/http/site-routes.js';
import { startHttpServer, type HttpServer } from '../src/http/server.js';
import { Registry } from 'prom-client';
import { openDatabase } from '../src/store/database.js';
import { openSqliteStore } from '../src/store/sqlite-store.js';
import { BenchChannel, benchConfig } from './incidents-setup.js';
import { percentile, type Benchmark, type BenchFigure } from './report.js';

const GROUPS = 1_000;
const ALERTS_PER_GROUP = 10;
const IN_FLIGHT = 32;
const TARGET_PER_SECOND = 2_000;
const TOKEN = 'bench-token-0123456789abcdef';
const PAGE_SAMPLES = 300;

/** Takes every delivery at once: the bench measures intake, not a network. */
class TakingChannel extends BenchChannel {
  override deliver(delivery: Delivery): Promise<DeliveryOutcome> {
    void delivery;
    this.delivered += 1;
    return Promise.resolve({ status: 'delivered', at: systemClock.now(), receipt: [] });
  }
}

function payload(group: number, alerts: number): string {
  const groupKey = `{}:{alertname="Bench${group}"}`;
  return JSON.stringify({
    version: '4',
    groupKey,
    truncatedAlerts: 0,
    status: 'firing',
    receiver: 'firebell',
    groupLabels: { alertname: `Bench${group}` },
    commonLabels: { alertname: `Bench${group}`, severity: 'warning' },
    commonAnnotations: { summary: `bench alert group ${group}` },
    externalURL: 'http://alertmanager.example.org:9093',
    alerts: Array.from({ length: alerts }, (_, index) => ({
      status: 'firing',
      labels: { alertname: `Bench${group}`, instance: `host${index}` },
      annotations: {},
      startsAt: '2026-11-25T15:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: `${group}-${index}`,
    })),
  });
}

/** Posts every group's ten payloads, IN_FLIGHT groups at a time; answers the seconds and the statuses. */
async function drive(url: string): Promise<{ seconds: number; accepted: number; other: number }> {
  let next = 0;
  let accepted = 0;
  let other = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    for (let group = next++; group < GROUPS; group = next++)
      for (let alerts = 1; alerts <= ALERTS_PER_GROUP; alerts += 1) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
          body: payload(group, alerts),
        });
        await response.arrayBuffer();
        if (response.status === 202) accepted += 1;
        else other += 1;
      }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { seconds: (performance.now() - started) / 1000, accepted, other };
}

async function firebellRun(dir: string): Promise<{
  run: Awaited<ReturnType<typeof drive>>;
  incidents: number;
  keys: number;
  server: HttpServer;
  close: () => Promise<void>;
}> {
  const store = openSqliteStore(join(dir, 'firebell.sqlite'));
  const synchronous = Number(store.db.pragma('synchronous', { simple: true }));
  if (synchronous !== 2) throw new Error(`the store runs at synchronous=${synchronous}, not FULL`);
  const durable = await DurableState.open(store, { clock: systemClock, logger: silentLogger });
  const config = {
    ...benchConfig,
    intake: { group: 'infra', routes: [], flapWindowMinutes: 5 },
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
        source: { store, currentAlert: () => durable.status.currentAlert(), now: () => systemClock.now() },
      }),
      opsRoutes({ readiness: firebell, registry: new Registry() }),
    ],
  });
  const run = await drive(`${server.url}/hooks/alertmanager`);
  await firebell.idle();
  const open = firebell.service.open();
  const keys = new Set(open.map((incident) => JSON.stringify(incident.context.source)));
  return {
    run,
    incidents: open.length,
    keys: keys.size,
    server,
    close: async () => {
      await server.close();
      await firebell.stop();
      await store.close();
    },
  };
}

async function bareRun(dir: string): Promise<Awaited<ReturnType<typeof drive>>> {
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
      const duplicates = ours.incidents - ours.keys + Math.max(0, ours.incidents - GROUPS);
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
          note: `${alerts} alerts in ${GROUPS} groups as ${alerts} requests (${IN_FLIGHT} groups in flight), each committed at synchronous=FULL before its 202; ${ours.run.accepted} accepted, ${lost} lost, ${ours.incidents} incidents for ${GROUPS} groups, ${duplicates} duplicates`,
          target: `>= ${TARGET_PER_SECOND} alerts/s, 0 lost, 0 duplicate incidents`,
          met: rate >= TARGET_PER_SECOND && lost === 0 && duplicates === 0 && ours.incidents === GROUPS,
        },
        {
          name: 'site.front_page_p99',
          value: percentile(page, 99),
          unit: 'ms',
          baseline: { name: '/healthz p99 on the same listener', value: percentile(health, 99), unit: 'ms' },
          note: `p50 ${percentile(page, 50).toFixed(2)} ms; ${GROUPS} incidents stored; ${PAGE_SAMPLES} requests in turn`,
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
