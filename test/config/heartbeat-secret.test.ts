/**
 * The heartbeat URL is its own credential (whoever knows it can keep the dead-man's switch quiet while
 * firebell is down): docs/offchat.md says it is never logged, so no problem message quotes it either.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIREBELL, problems } from './fixture.js';

test('a mistyped heartbeat URL is not quoted in the problem', () => {
  const firebell = `${FIREBELL}heartbeat:\n  url: \${HEARTBEAT_URL}\n`;
  assert.deepEqual(
    problems({ firebell }, { HEARTBEAT_URL: 'hc-ping.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0' }),
    [
      'cfg/firebell.yaml:21:3: heartbeat.url: expected a URL such as "https://example.org/playbook", got a string',
    ],
  );
});
