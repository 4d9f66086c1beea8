/** `!help <command>`: who may use it is what the configuration says, not the default. */
import { afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { coreWorld, stopWorlds } from '../../support/core-world.js';
import { testConfig } from '../../support/config-fixture.js';
import { ircUser } from '../../support/fake-network.js';

afterEach(stopWorlds);

const alice = ircUser('alice', 'alice');

test('!help names who may use a command as incidents.permissions configures it', async () => {
  const base = testConfig();
  const config = testConfig({
    incidents: {
      ...base.incidents,
      permissions: {
        ...base.incidents.permissions,
        declare: 'contacts',
        resolve: 'whitelist',
      },
    },
  });
  const w = await coreWorld({ config });
  w.irc.type('#infra', alice, '!help incident');
  w.irc.type('#infra', alice, '!help resolved');
  w.irc.type('#infra', alice, '!help ack');
  await w.at(1);
  const who = w.irc.lines().map((line) => /Who: (.*)\.$/.exec(line)?.[1]);
  assert.deepEqual(who, [
    'the people in contacts.yaml, identified',
    'the people in whitelist.yaml, identified',
    'anyone identified to services (IRC) or any Matrix user',
  ]);
});
