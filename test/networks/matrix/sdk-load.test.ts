/**
 * The SDK as installed: the Element fork (`@vector-im/matrix-bot-sdk@0.8.0-element.3`, aliased to
 * `matrix-bot-sdk`) declares Node >= 22, and firebell runs on Node 20; its native crypto module is
 * replaced by packages/crypto-stub. This proves, on whatever Node runs the suite, that the SDK loads,
 * talks HTTP, and that the stub fails loudly when encryption is touched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MatrixClient, RustSdkCryptoStorageProvider } from 'matrix-bot-sdk';
import { silentLogger } from '../../../src/core/logger.js';
import { routeSdkLogs } from '../../../src/networks/matrix/sdk-logging.js';
import { TestHomeserver } from '../../matrix-homeserver/homeserver.js';

const require = createRequire(import.meta.url);
let hs: TestHomeserver;

before(async () => {
  routeSdkLogs(silentLogger);
  hs = await TestHomeserver.start();
});
after(() => hs.stop());

function manifest(entry: string): { name: string; version: string; engines?: { node?: string } } {
  let dir = dirname(require.resolve(entry));
  while (!dir.endsWith('node_modules') && dirname(dir) !== dir) {
    try {
      return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as ReturnType<typeof manifest>;
    } catch {
      dir = dirname(dir);
    }
  }
  throw new Error(`no package.json above ${entry}`);
}

test('matrix-bot-sdk (declaring node >=22) loads and makes real requests on this Node', async (t) => {
  const sdk = manifest('matrix-bot-sdk');
  assert.equal(sdk.name, '@vector-im/matrix-bot-sdk');
  assert.equal(sdk.version, '0.8.0-element.3');
  assert.equal(sdk.engines?.node, '>=22.0.0');
  const major = Number(process.versions.node.split('.')[0]);
  t.diagnostic(`running on Node ${process.versions.node}; the SDK declares ${sdk.engines?.node}`);
  assert.ok(major >= 20, 'firebell supports Node 20 and later');

  const user = hs.createUser('loader');
  const client = new MatrixClient(hs.url, user.token);
  assert.equal(client.crypto, undefined, 'no crypto client without a crypto store');
  assert.equal((await client.getWhoAmI()).user_id, user.userId);
  const roomId = await client.createRoom({ preset: 'private_chat' });
  const eventId = await client.sendNotice(roomId, 'hello from Node ' + process.versions.node);
  assert.match(eventId, /^\$/);
});

test('the crypto module is the stub: it loads, and turning encryption on fails with a clear message', async () => {
  const stub = require('@matrix-org/matrix-sdk-crypto-nodejs') as { isFirebellStub?: boolean };
  assert.equal(stub.isFirebellStub, true);
  const dir = await mkdtemp(join(tmpdir(), 'firebell-crypto-'));
  try {
    const user = hs.createUser('crypto');
    const client = new MatrixClient(hs.url, user.token, undefined, new RustSdkCryptoStorageProvider(dir, 0));
    assert.ok(client.crypto, 'with a crypto store the SDK builds its crypto client');
    await assert.rejects(client.crypto.prepare(), /end-to-end encryption is not available in this build/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
