import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  caseMappingNamed,
  ircCaseFold,
  matrixIdKey,
  NetworkNames,
  type CaseMapping,
} from '../../src/core/casemapping.js';
import { ContactMentions } from '../../src/core/bridge/mentions.js';
import { Groups } from '../../src/core/groups.js';
import type { Contact } from '../../src/config/config.js';
import { rich } from '../../src/core/rich-text.js';
import { hours } from '../support/builders.js';
import { contacts } from '../support/config-fixture.js';

test('the three IRC mappings, table-driven, each keeping the length', () => {
  const cases: [CaseMapping, string, string][] = [
    ['ascii', 'Sol[M]\\~^', 'sol[m]\\~^'],
    ['strict-rfc1459', 'Sol[M]\\~^', 'sol{m}|~^'],
    ['rfc1459', 'Sol[M]\\~^', 'sol{m}|~~'],
    ['rfc1459', 'ÄNA', 'Äna'],
  ];
  for (const [mapping, input, folded] of cases) {
    assert.equal(ircCaseFold(mapping)(input), folded, `${mapping}: ${input}`);
    assert.equal(ircCaseFold(mapping)(input).length, input.length);
  }
});

test("the server's ISUPPORT value names the mapping; absent or unknown is rfc1459, the RFC default", () => {
  assert.equal(caseMappingNamed('ascii'), 'ascii');
  assert.equal(caseMappingNamed('strict-rfc1459'), 'strict-rfc1459');
  assert.equal(caseMappingNamed('rfc1459'), 'rfc1459');
  assert.equal(caseMappingNamed(undefined), 'rfc1459');
  assert.equal(caseMappingNamed('rfc7613'), 'rfc1459');
});

test('Matrix ids: the server name is case-insensitive, the rest is compared as written', () => {
  assert.equal(matrixIdKey(' @Ana:Example.ORG '), '@Ana:example.org');
  assert.equal(matrixIdKey('!AbC:Example.org'), '!AbC:example.org');
  assert.notEqual(matrixIdKey('@ana:example.org'), matrixIdKey('@Ana:example.org'));
});

test('names on a network compare by the mapping its server announced, asked each time', () => {
  let mapping: CaseMapping = 'rfc1459';
  const names = new NetworkNames(
    new Map([
      ['libera', { kind: 'irc' as const, caseMapping: () => mapping }],
      ['matrix', { kind: 'matrix' as const }],
    ]),
  );
  assert.equal(names.same('libera', '#Ops[1]', '#ops{1}'), true);
  mapping = 'ascii';
  assert.equal(names.same('libera', '#Ops[1]', '#ops{1}'), false);
  assert.equal(names.same('libera', '#Ops[1]', '#ops[1]'), true);
  assert.equal(names.same('matrix', '#infra:Example.org', '#infra:example.org'), true);
  assert.equal(names.same('matrix', '#Infra:example.org', '#infra:example.org'), false);
});

test("a group is found by its channel whatever the spelling, by the server's mapping", () => {
  let mapping: CaseMapping = 'rfc1459';
  const group = {
    id: 'infra',
    members: [
      { network: 'libera', conversation: '#infra[ops]', topic: true, status: true },
      { network: 'matrix', conversation: '#infra:example.org', topic: true, status: true },
    ],
    relay: true,
    relayJoinsAndParts: false,
  };
  const groups = new Groups(
    [group],
    new NetworkNames(
      new Map([
        ['libera', { kind: 'irc' as const, caseMapping: () => mapping }],
        ['matrix', { kind: 'matrix' as const }],
      ]),
    ),
  );
  const on = (network: string, id: string) => groups.of({ network, id, direct: false })?.id;
  assert.equal(on('libera', '#INFRA{OPS}'), 'infra');
  mapping = 'ascii';
  assert.equal(on('libera', '#INFRA{OPS}'), undefined);
  assert.equal(on('libera', '#INFRA[OPS]'), 'infra');
  assert.equal(on('matrix', '#infra:EXAMPLE.org'), 'infra');
  assert.equal(on('matrix', '#INFRA:example.org'), undefined);
});

test('highlights across the bridge fold by the source server’s mapping, and Matrix mentions by the one normalisation', () => {
  const sol: Contact = {
    ...contacts[0]!,
    id: 'sol',
    name: 'Sol',
    irc: { account: 'sol', nick: 'sol[m]' },
    matrix: '@sol:Example.org',
    hours: hours({ daily: '00:00-24:00' }),
  };
  const mentions = new ContactMentions([sol]);
  const mentioned = (text: string, mapping: CaseMapping): boolean =>
    mentions
      .highlightsToMentions(rich(text), ircCaseFold(mapping))
      .some((segment) => segment.kind === 'mention');
  assert.equal(mentioned('SOL{M}: the mirror', 'rfc1459'), true);
  assert.equal(mentioned('SOL{M}: the mirror', 'ascii'), false);
  assert.equal(mentioned('SOL[M]: the mirror', 'ascii'), true);
  const [segment] = mentions.forTarget(
    [{ kind: 'mention', person: { name: 'Sol', matrix: { userId: '@sol:example.org' } } }],
    'irc',
    () => undefined,
  );
  assert.deepEqual(segment, { kind: 'text', text: 'sol[m]' }, 'the contact is found by its normalised id');
});
