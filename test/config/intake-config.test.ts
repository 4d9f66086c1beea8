/** The `intake` and `http` keys: their mistakes named by file, line and key, and what a valid one becomes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIREBELL, load, problems } from './fixture.js';
import { formatProblem } from '../../src/config/load.js';

const withIntake = (intake: string, http = "http:\n  listen: '127.0.0.1:8080'\n"): string =>
  `${FIREBELL}${http}intake:\n${intake}`;

test('a valid intake: tokens from the environment, routes, the flap window; http.listen sets the site', () => {
  const result = load(
    {
      firebell: withIntake(`  group: ops
  sources:
    alertmanager:
      token: \${AM_TOKEN}
  routes:
    - match: { severity: critical }
      policy: default
`),
    },
    { AM_TOKEN: 'a-long-enough-secret-token' },
  );
  assert.ok(result.ok, result.ok ? '' : result.problems.map((problem) => formatProblem(problem)).join('\n'));
  if (!result.ok) return;
  assert.deepEqual(result.config.intakeTokens, { alertmanager: 'a-long-enough-secret-token' });
  assert.deepEqual(result.config.intake, {
    group: 'ops',
    policy: undefined,
    routes: [{ match: { severity: 'critical' }, policy: 'default' }],
    flapWindowMinutes: 5,
    storm: { groups: 10, windowMinutes: 5 },
  });
  assert.equal(result.config.bot.httpListen, '127.0.0.1:8080');
  assert.equal(
    result.config.bot.publicUrl,
    'http://127.0.0.1:8080',
    'the public URL defaults to the listen address',
  );
});

test('intake mistakes: an unknown group or policy, a short token, hooks with no listener', () => {
  assert.deepEqual(
    problems(
      {
        firebell: withIntake(`  group: opz
  sources:
    generic:
      token: \${SHORT}
  routes:
    - match: { severity: critical }
      group: nope
      policy: defualt
`),
      },
      { SHORT: 'short' },
    ),
    [
      'cfg/firebell.yaml:23:3: intake.group: unknown group "opz" (did you mean "ops"?)',
      'cfg/firebell.yaml:26:7: intake.sources.generic.token: expected a token of at least 16 characters (write ${NAME} to take it from the environment), got a string',
      'cfg/firebell.yaml:29:7: intake.routes[0].group: unknown group "nope" (did you mean "ops"?)',
      'cfg/firebell.yaml:30:7: intake.routes[0].policy: unknown escalation policy "defualt" (did you mean "default"?)',
    ],
  );
  assert.deepEqual(
    problems(
      {
        firebell: withIntake(`  group: opz
  sources:
    generic:
      token: \${LONG}
  routes:
    - match: { severity: critical }
      group: nope
      policy: defualt
`),
      },
      { LONG: '0123456789abcdef0123' },
    ),
    [
      'cfg/firebell.yaml:23:3: intake.group: unknown group "opz" (did you mean "ops"?)',
      'cfg/firebell.yaml:29:7: intake.routes[0].group: unknown group "nope" (did you mean "ops"?)',
      'cfg/firebell.yaml:30:7: intake.routes[0].policy: unknown escalation policy "defualt" (did you mean "default"?)',
    ],
  );
  // Without a listener nothing receives the hooks: firebell would start with monitoring silently cut off.
  const intake = '  group: ops\n  sources:\n    generic:\n      token: ${LONG}\n';
  const env = { LONG: '0123456789abcdef0123' };
  const refused =
    'cfg/firebell.yaml:20:1: intake: intake needs http.listen: without the listener no hook can reach firebell';
  assert.deepEqual(problems({ firebell: withIntake(intake, '') }, env), [refused]);
  assert.deepEqual(
    problems({ firebell: withIntake(intake, 'http:\n  publicUrl: https://firebell.example.org\n') }, env),
    [refused.replace(':20:1:', ':22:1:')],
    'an http section without listen is no listener either',
  );
});
