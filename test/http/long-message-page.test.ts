import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyValueLongMessages } from '../../src/core/bridge/long-messages.js';
import { silentLogger } from '../../src/core/logger.js';
import { parseListen, startLongMessagePage, type LongMessagePage } from '../../src/http/long-message-page.js';
import { MemoryKeyValueStore } from '../support/memory-kv.js';

describe('the long message page', () => {
  const store = new KeyValueLongMessages(new MemoryKeyValueStore(), 10, () => 'abcdefgh12345678');
  const id = store.save({
    sender: 'Ana (@ana:example.org)',
    network: 'matrix',
    conversation: '#infra:example.org',
    at: Date.UTC(2026, 10, 25, 15, 4, 5),
    text: 'line one\n<script>alert(1)</script>\nline three',
  });
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
    assert.throws(() => parseListen('8080'), /bot\.httpListen: expected host:port/);
    assert.throws(() => parseListen('localhost:99999'), /expected host:port/);
  });
});
