import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, formatPath, formatProblem, levenshtein, unknownName } from '../../src/config/problems.js';

test('key paths read as they would in code, quoting keys that are not plain words', () => {
  assert.equal(formatPath([]), '');
  assert.equal(formatPath(['contacts', 2, 'timezone']), 'contacts[2].timezone');
  assert.equal(formatPath(['contacts', 0, 'hours', 'mon-fri']), 'contacts[0].hours.mon-fri');
  assert.equal(
    formatPath(['networks', 'irc', 0, 'channelKeys', '#opendev']),
    'networks.irc[0].channelKeys["#opendev"]',
  );
});

test('problems format as file:line:column: path: message, leaving out what is unknown', () => {
  const problem = {
    file: 'config/contacts.yaml',
    line: 14,
    column: 5,
    path: 'contacts[2].timezone',
    message: 'expected an IANA timezone such as "Europe/Berlin", got "Mars/Olympus"',
  };
  assert.equal(
    formatProblem(problem),
    'config/contacts.yaml:14:5: contacts[2].timezone: expected an IANA timezone such as "Europe/Berlin", got "Mars/Olympus"',
  );
  assert.equal(
    formatProblem({ ...problem, path: 'contacts' }, 'warning'),
    'config/contacts.yaml:14:5: warning: contacts: expected an IANA timezone such as "Europe/Berlin", got "Mars/Olympus"',
  );
  assert.equal(
    formatProblem({ file: 'whitelist.yaml', path: '', message: 'cannot read the file: it does not exist' }),
    'whitelist.yaml: cannot read the file: it does not exist',
  );
});

test('suggestions: the closest candidate within two edits, case-insensitively', () => {
  assert.equal(levenshtein('afterMinute', 'afterMinutes'), 1);
  assert.equal(levenshtein('kitten', 'sitting'), 3);
  assert.equal(levenshtein('', 'abc'), 3);
  assert.equal(closest('afterminute', ['tier', 'afterMinutes']), 'afterMinutes');
  assert.equal(closest('nobodyawak', ['repeat', 'nobodyAwake']), 'nobodyAwake');
  assert.equal(closest('flavour', ['path']), undefined);
  assert.equal(
    unknownName('network', 'libra', ['shell', 'libera']),
    'unknown network "libra" (did you mean "libera"?)',
  );
  assert.equal(unknownName('network', 'x', []), 'unknown network "x" (none are defined)');
});

test('a control character quoted from a file is shown escaped: one problem stays one line (found by the soak)', () => {
  const line = formatProblem({
    file: 'whitelist.yaml',
    line: 3,
    column: 5,
    path: 'whitelist[0]',
    message: 'unknown contact "a\u0000\r\nb"',
  });
  assert.equal(line, 'whitelist.yaml:3:5: whitelist[0]: unknown contact "a\\u0000\\u000d\\u000ab"');
  assert.doesNotMatch(line, /[\r\n\u0000]/);
});
