/**
 * The intake tests' world: a core world whose intake listens on the real HTTP listener with all three
 * hooks, each with its token.
 */
import assert from 'node:assert/strict';
import type { Config } from '../../src/config/config.js';
import { intakeRoutes } from '../../src/http/intake-routes.js';
import { startHttpServer, type HttpServer } from '../../src/http/server.js';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { MemoryLogger } from '../support/memory-logger.js';

export const TOKEN = 'am-token-0123456789abcdef';
export const GRAFANA_TOKEN = 'grafana-token-0123456789';
export const GENERIC_TOKEN = 'generic-token-0123456789';

const servers: HttpServer[] = [];
/** Stops the listeners and the worlds the last test started (call it from afterEach). */
export async function stopIntakeWorlds(): Promise<void> {
  for (const server of servers.splice(0)) await server.close();
  await stopWorlds();
}

/** A core world with the three hooks on the real listener; `post` waits until what it caused is settled. */
export async function intakeWorld(
  config: Config,
  /** The listener's body limit: small by default, the product's 1 MiB for payloads of real size. */
  bodyLimitBytes = 64 * 1024,
): Promise<{ w: CoreWorld; post: Post; logger: MemoryLogger }> {
  const w = await coreWorld({ config });
  const logger = new MemoryLogger();
  const intake = w.firebell.intake;
  assert.ok(intake, 'the intake is built from the config');
  const server = await startHttpServer({
    listen: '127.0.0.1:0',
    logger,
    bodyLimitBytes,
    plugins: [
      intakeRoutes({
        tokens: { alertmanager: TOKEN, grafana: GRAFANA_TOKEN, generic: GENERIC_TOKEN },
        receive: (alert) => intake.receive(alert),
        committed: () => w.firebell.idle().then(() => undefined),
        logger,
      }),
    ],
  });
  servers.push(server);
  const post: Post = async (path, body, token = TOKEN, contentType = 'application/json') => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    await w.settle();
    return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  return { w, post, logger };
}

export type Post = (
  path: string,
  body: unknown,
  token?: string | null,
  contentType?: string,
) => Promise<{ status: number; text: string; json: () => Record<string, unknown> }>;
