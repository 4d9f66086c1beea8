import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatedClock } from 'xstate';
import { silentLogger } from '../../../src/core/logger.js';
import { AccountLookups } from '../../../src/networks/irc/account-lookups.js';
import { ircCaseFold } from '../../../src/core/casemapping.js';

function setup(whox: boolean) {
  const clock = new SimulatedClock();
  const sent: string[] = [];
  const lookups = new AccountLookups(clock, 5000, silentLogger, {
    send: (line, _cost, written) => {
      sent.push(line);
      written();
    },
    whox: () => whox,
    fold: () => ircCaseFold('rfc1459'),
  });
  const line = (command: string, ...params: string[]) =>
    lookups.handle({ command, params: ['fbbot', ...params] });
  return { clock, sent, lookups, line };
}

test('WHOX: the account field, "0" when not logged in, matched by token', async () => {
  const { sent, lookups, line } = setup(true);
  const alice = lookups.lookup('Alice');
  const bob = lookups.lookup('bob');
  assert.deepEqual(sent, ['WHO Alice %tna,100', 'WHO bob %tna,101']);
  assert.equal(line('354', '999', 'alice', 'someone'), false, "another client's WHOX reply is not ours");
  assert.equal(line('354', '100', 'Alice', 'alice-acct'), true);
  assert.equal(line('315', 'alice', 'End of /WHO list.'), true);
  assert.equal(line('354', '101', 'bob', '0'), true);
  assert.equal(line('315', 'bob', 'End of /WHO list.'), true);
  assert.equal(await alice, 'alice-acct');
  assert.equal(await bob, null);
});

test('WHOX: nobody by that nick is nobody logged in', async () => {
  const { lookups, line } = setup(true);
  const ghost = lookups.lookup('ghost');
  line('315', 'ghost', 'End of /WHO list.');
  assert.equal(await ghost, null);
});

test('WHOIS when the server has no WHOX: 330 gives the account', async () => {
  const { sent, lookups, line } = setup(false);
  const alice = lookups.lookup('alice');
  const bob = lookups.lookup('bob');
  const gone = lookups.lookup('gone');
  assert.deepEqual(sent, ['WHOIS alice', 'WHOIS bob', 'WHOIS gone']);
  line('311', 'alice', 'alice', 'host', '*', 'Alice');
  line('330', 'alice', 'alice-acct', 'is logged in as');
  line('318', 'alice', 'End of /WHOIS list.');
  line('318', 'bob', 'End of /WHOIS list.');
  line('401', 'gone', 'No such nick');
  assert.equal(await alice, 'alice-acct');
  assert.equal(await bob, null);
  assert.equal(await gone, null);
});

test('no answer within the timeout, or a lost connection, means unknown', async () => {
  const { clock, lookups } = setup(true);
  const slow = lookups.lookup('slow');
  clock.increment(5000);
  assert.equal(await slow, undefined);
  const cut = lookups.lookup('cut');
  lookups.cancelAll();
  assert.equal(await cut, undefined);
});

test('WHOX: a reply about another user (the nick is gone, the mask matched their ident) is not the asked nick', async () => {
  // Solanum (the charybdis family) matches a WHO mask that is no present nick against idents, hosts and
  // real names: a stranger who PMs `!ack` as "msmith" and quits at once must not get the account of whoever's ident is msmith.
  const { lookups, line } = setup(true);
  const gone = lookups.lookup('msmith');
  assert.equal(line('354', '100', 'mara', 'mara-acct'), true, 'our token: consumed');
  assert.equal(line('315', 'msmith', 'End of /WHO list.'), true);
  assert.equal(await gone, null);
});
