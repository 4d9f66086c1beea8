/**
 * A complete Config for core tests, built in code: two people per tier on IRC and Matrix, one group that
 * links an IRC channel, a Matrix room and a shell channel, and a two-tier policy.
 */
import type { Config, Contact } from '../../src/config/config.js';
import type { EscalationPolicy } from '../../machines/incident-types.js';
import { hours, makeConfig, makePolicy } from './builders.js';

export const testPolicy: EscalationPolicy = makePolicy();

export const contacts: Contact[] = [
  {
    id: 'ana',
    name: 'Ana',
    irc: { account: 'ana', nick: 'ana' },
    matrix: '@ana:example.org',
    timezone: 'America/Chicago',
    hours: hours({ 'mon-fri': '09:00-17:00' }),
    roles: ['incident-commander'],
    tier: 1,
    reach: 'both',
  },
  {
    id: 'bo',
    name: 'Bo',
    irc: { account: 'bo_account', nick: 'bo' },
    timezone: 'Europe/Berlin',
    hours: hours({ daily: '08:00-20:00' }),
    roles: [],
    tier: 1,
    reach: 'highlight',
  },
  {
    id: 'cy',
    name: 'Cy',
    matrix: '@cy:example.org',
    timezone: 'Asia/Kolkata',
    hours: hours({ 'mon-sat': '10:00-18:00' }),
    roles: ['communications'],
    tier: 2,
    reach: 'private',
  },
];

export function testConfig(overrides: Partial<Config> = {}): Config {
  return makeConfig({
    groups: [
      {
        id: 'infra',
        name: 'infra',
        members: [
          { network: 'libera', conversation: '#infra', topic: true, status: true },
          { network: 'matrix', conversation: '#infra:example.org', topic: true, status: true },
          { network: 'shell', conversation: '#infra', topic: true, status: true },
        ],
        relay: true,
        relayJoinsAndParts: false,
      },
    ],
    policies: { default: testPolicy },
    contacts,
    whitelist: [
      { name: 'Ana', contactId: 'ana', irc: { account: 'ana', nick: 'ana' }, matrix: '@ana:example.org' },
    ],
    ...overrides,
  });
}

/** Only the shell network, as `user`, in one group `infra` on `#infra`: the composition tests' chat. */
export function shellOnly(user: string): Pick<Config, 'networks' | 'groups'> {
  return {
    networks: { shell: { enabled: true, user, id: 'shell', kind: 'shell' }, irc: [], matrix: [] },
    groups: [
      {
        id: 'infra',
        members: [{ network: 'shell', conversation: '#infra', topic: true, status: true }],
        relay: false,
        relayJoinsAndParts: false,
      },
    ],
  };
}
