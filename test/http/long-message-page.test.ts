import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { LongMessage } from '../../src/core/bridge/long-messages.js';
import { silentLogger } from '../../src/core/logger.js';
import { parseListen, startLongMessagePage, type LongMessagePage } from '../../src/http/long-message-page.js';

describe('the long message page', () => {
  // The page reads through the store's `load` (tested with the store in core/bridge/parts.test.ts).
  const id = '0-abcdefgh12345678';
  const message: LongMessage = {
    sender: 'Ana (@ana:example.org)',
    network: 'matrix',
    conversation: '#infra:example.org',
    at: Date.UTC(2026, 10, 25, 15, 4, 5),
    text: 'line one\n<script>alert(1)</script>\nline three',
  };
  const store = { load: async (asked: string) => (asked === id ? message : undefined) };
  let page: LongMessagePage;
  let base: string;

  before(async () => {
    page = await startLongMessagePage({ listen: '127.0.0.1:0', store, logger: silentLogger });
    base = `http://127.0.0.1:${page.port}`;
  });
  after(() => page.close());

  test('GET /m/<id> answers the full message as plain text, with sender and time', async () => {
    const response = await fetch(`${base}/m/${id}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; sandbox");
    assert.equal(
      await response.text(),
      'Ana (@ana:example.org) in #infra:example.org (matrix), 2026-11-25 15:04:05 UTC\n\nline one\n<script>alert(1)</script>\nline three\n',
    );
  });

  test('HEAD answers the headers only', async () => {
    const response = await fetch(`${base}/m/${id}`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), '');
  });

  test('anything else is 404, other methods 405', async () => {
    for (const path of ['/', '/m/', `/m/${id}x`, '/m/0-nottherighttoken', `/m/${id}/..`, '/favicon.ico']) {
      const response = await fetch(`${base}${path}`);
      assert.equal(response.status, 404, path);
      await response.text();
    }
    const post = await fetch(`${base}/m/${id}`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    await post.text();
  });

  test('the listen address is host:port', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.throws(() => parseListen('8080'), /http\.listen: expected host:port/);
    assert.throws(() => parseListen('localhost:99999'), /expected host:port/);
  });
});
