/**
 * For the people and tools that run firebell: `/healthz` (the process answers), `/readyz` (the store takes
 * commits and every network is connected; the body says which part is not) and `/metrics` (Prometheus).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { StoreHealth } from '../core/journal.js';
import type { ConnectionState } from '../core/network.js';

/** This instance's place among instances sharing a PostgreSQL store (`single` on SQLite). */
export interface InstanceRole {
  readonly role: 'single' | 'active' | 'standby' | 'lost';
  /** Since when it holds that role (ISO time, the database's clock for `active`). */
  readonly since?: string;
}

export interface Readiness {
  storeHealth(): StoreHealth;
  networkStates(): Record<string, ConnectionState>;
  /** Absent in tests that build the listener without a store of their own. */
  instanceRole?(): InstanceRole;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly store: string;
  readonly networks: Record<string, ConnectionState>;
  readonly instance?: InstanceRole;
}

export function readinessOf(readiness: Readiness): ReadinessReport {
  const store = readiness.storeHealth();
  const networks = readiness.networkStates();
  const down = Object.values(networks).some((state) => state !== 'connected');
  const instance = readiness.instanceRole?.();
  const serving = instance === undefined || instance.role === 'single' || instance.role === 'active';
  return {
    ...(instance ? { instance } : {}),
    ready: store.ok && !down && serving,
    store: `${store.ok ? 'ok' : `failing since ${new Date(store.since).toISOString()}: ${store.reason}`}${refusedNote(store)}`,
    networks,
  };
}

/** Refused writes do not make firebell unready (the store takes the others), but people must see them. */
function refusedNote(store: StoreHealth): string {
  if (!store.refused) return '';
  const { count, lastAt, lastReason } = store.refused;
  return `; ${count} write(s) refused and dropped, the last at ${new Date(lastAt).toISOString()}: ${lastReason}`;
}

export function opsRoutes(options: { readiness: Readiness; registry: Registry }): FastifyPluginAsync {
  return async (app) => {
    app.get('/healthz', async (_request, reply) =>
      reply.header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('ok\n'),
    );
    app.get('/readyz', async (_request, reply) => {
      const report = readinessOf(options.readiness);
      return reply
        .status(report.ready ? 200 : 503)
        .header('cache-control', 'no-store')
        .send(report);
    });
    app.get('/metrics', async (_request, reply) =>
      reply
        .header('cache-control', 'no-store')
        .type(options.registry.contentType)
        .send(await options.registry.metrics()),
    );
  };
}
