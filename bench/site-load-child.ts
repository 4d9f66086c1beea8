/**
 * The status site's herd: `connections` clients on keep-alive connections, each asking for `url` again as
 * soon as it has the answer, for `seconds`; then prints one JSON line and exits. With `conditional`, each
 * client revalidates what it holds (If-None-Match / If-Modified-Since), as pollers and browsers do; with
 * `rate=N`, the clients together ask N times a second (people refreshing), not as fast as answers come.
 * Usage: site-load-child.js <url> <connections> <seconds> [conditional | rate=N]
 */
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  /** Answers by status code. */
  readonly statuses: Readonly<Record<string, number>>;
  readonly p99Ms: number;
}

function get(agent: Agent, url: URL, headers: Record<string, string>) {
  return new Promise<{ status: number; etag?: string; lastModified?: string }>((resolve, reject) => {
    const sent = request(url, { agent, headers }, (response) => {
      response.on('data', () => undefined);
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          ...(response.headers.etag ? { etag: response.headers.etag } : {}),
          ...(response.headers['last-modified'] ? { lastModified: response.headers['last-modified'] } : {}),
        }),
      );
      response.on('error', reject);
    });
    sent.on('error', reject);
    sent.end();
  });
}

async function herd(
  url: URL,
  connections: number,
  seconds: number,
  conditional: boolean,
  perSecond: number,
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const statuses: Record<string, number> = {};
  const samples: number[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  const everyMs = perSecond > 0 ? (1000 * connections) / perSecond : 0;
  const client = async (index: number): Promise<void> => {
    const held: Record<string, string> = {};
    let due = started + (everyMs * index) / connections;
    while (performance.now() < end) {
      if (everyMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
        due += everyMs;
      }
      const asked = performance.now();
      const answer = await get(agent, url, conditional ? held : {});
      samples.push(performance.now() - asked);
      statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
      if (answer.etag) held['if-none-match'] = answer.etag;
      if (answer.lastModified) held['if-modified-since'] = answer.lastModified;
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, index) => client(index)));
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  samples.sort((a, b) => a - b);
  const p99Ms = samples[Math.max(0, Math.ceil(samples.length * 0.99) - 1)] ?? Number.NaN;
  return { requests: samples.length, seconds: elapsed, statuses, p99Ms };
}

const [url, connections, seconds, mode = ''] = process.argv.slice(2);
if (url === undefined)
  throw new Error('usage: site-load-child.js <url> <connections> <seconds> [conditional | rate=N]');
const perSecond = mode.startsWith('rate=') ? Number(mode.slice('rate='.length)) : 0;
const result = await herd(
  new URL(url),
  Number(connections),
  Number(seconds),
  mode === 'conditional',
  perSecond,
);
process.stdout.write(`${JSON.stringify(result)}\n`);
