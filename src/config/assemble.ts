/**
 * Builds the `Config` the rest of firebell receives from the three validated files: policies in the form
 * frozen into incidents, whitelist entries resolved to people with their handles, paths made absolute.
 */
import { isAbsolute, resolve } from 'node:path';
import type { EscalationPolicy } from '../../machines/incident-types.js';
import { describeUrl } from '../store/postgres/describe-url.js';
import type { Config, ConfigFiles, Contact, StoreConfig, WhitelistedPerson } from './config.js';
import { shareIrcAccount } from '../core/irc-accounts.js';
import {
  DEFAULT_LEASE_SECONDS,
  type ContactsFile,
  type FirebellFile,
  type PolicyConfig,
  type WhitelistFile,
} from './schema.js';

export interface ValidatedFiles {
  readonly firebell: FirebellFile;
  readonly contacts: ContactsFile;
  readonly whitelist: WhitelistFile;
  readonly files: ConfigFiles;
  /** Relative paths inside firebell.yaml hang off this directory. */
  readonly configDir: string;
}

export function toEscalationPolicy(name: string, policy: PolicyConfig): EscalationPolicy {
  return {
    name,
    tiers: policy.tiers.map(({ tier, afterMinutes }) => ({ tier, afterMinutes })),
    repeat: policy.repeat,
    whenExhausted: { action: policy.whenExhausted.action, afterMinutes: policy.whenExhausted.afterMinutes },
    ackTimeoutMinutes: policy.ackTimeoutMinutes,
    statusReminder: policy.statusReminder && {
      afterMinutes: policy.statusReminder.afterMinutes,
      repeatMinutes: policy.statusReminder.repeatMinutes,
    },
    nobodyAwake: policy.nobodyAwake,
  };
}

function fromContact(contact: Contact): WhitelistedPerson {
  return {
    name: contact.name,
    contactId: contact.id,
    ...(contact.irc ? { irc: contact.irc } : {}),
    ...(contact.matrix !== undefined ? { matrix: contact.matrix } : {}),
  };
}

/** Whitelist entries, with the contact each one is (by reference, or by a matching account or Matrix id). */
export function resolveWhitelist(
  whitelist: WhitelistFile,
  contacts: readonly Contact[],
): WhitelistedPerson[] {
  return whitelist.whitelist.flatMap((entry): WhitelistedPerson[] => {
    if (entry.kind === 'contact') {
      const contact = contacts.find((candidate) => candidate.id === entry.contact);
      return contact ? [fromContact(contact)] : [];
    }
    const { irc } = entry;
    const match = contacts.find(
      (contact) =>
        (irc !== undefined && contact.irc !== undefined && shareIrcAccount(contact.irc, irc)) ||
        (entry.matrix !== undefined && contact.matrix === entry.matrix),
    );
    return [
      {
        name: entry.name,
        ...(match ? { contactId: match.id } : {}),
        ...(entry.irc ? { irc: entry.irc } : {}),
        ...(entry.matrix !== undefined ? { matrix: entry.matrix } : {}),
      },
    ];
  });
}

export function assembleConfig(validated: ValidatedFiles): Config {
  const { firebell, contacts, whitelist } = validated;
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(validated.configDir, path));
  const { alertFile, ...statusbot } = firebell.statusbot;
  return {
    files: validated.files,
    bot: withListener(firebell.bot, firebell.http),
    ...storeOf(firebell.store, absolute),
    networks: {
      ...(firebell.networks.shell ? { shell: firebell.networks.shell } : {}),
      irc: firebell.networks.irc,
      matrix: firebell.networks.matrix,
    },
    groups: firebell.groups,
    policies: Object.fromEntries(
      Object.entries(firebell.escalation.policies).map(([name, policy]) => [
        name,
        toEscalationPolicy(name, policy),
      ]),
    ),
    defaultPolicy: firebell.escalation.defaultPolicy,
    incidents: firebell.incidents,
    statusbot: { ...statusbot, ...(alertFile !== undefined ? { alertFile: absolute(alertFile) } : {}) },
    roles: firebell.roles,
    bridge: firebell.bridge,
    ...(firebell.email === undefined ? {} : { email: firebell.email }),
    ...(firebell.heartbeat === undefined ? {} : { heartbeat: firebell.heartbeat }),
    ...(firebell.ackLinks === undefined ? {} : { ackLinks: firebell.ackLinks }),
    contacts: contacts.contacts,
    whitelist: resolveWhitelist(whitelist, contacts.contacts),
    ...(firebell.intake
      ? {
          intake: {
            group: firebell.intake.group,
            policy: firebell.intake.policy,
            routes: firebell.intake.routes,
            flapWindowMinutes: firebell.intake.flapWindowMinutes,
            storm: firebell.intake.storm,
          },
        }
      : {}),
    maintenance: firebell.maintenance.map((window) => ({
      group: window.group,
      startsAt: Date.parse(window.start),
      endsAt: Date.parse(window.end),
      reason: window.reason,
    })),
    intakeTokens: Object.fromEntries(
      Object.entries(firebell.intake?.sources ?? {}).flatMap(([source, settings]) =>
        settings ? [[source, settings.token]] : [],
      ),
    ),
  };
}

/**
 * `http.listen` and `http.publicUrl` are where the listener lives; the older `bot.httpListen` and
 * `bot.publicUrl` still work (check warns). Without a public URL, links use the listen address itself,
 * which is right for a listener on localhost and what a newcomer opens.
 */
function withListener(bot: FirebellFile['bot'], http: FirebellFile['http']): FirebellFile['bot'] {
  const listen = http?.listen ?? bot.httpListen;
  const publicUrl =
    http?.publicUrl ?? bot.publicUrl ?? (listen !== undefined ? `http://${listen}` : undefined);
  return {
    ...bot,
    ...(listen !== undefined ? { httpListen: listen } : {}),
    ...(publicUrl !== undefined ? { publicUrl } : {}),
  };
}

function storeOf(
  store: FirebellFile['store'],
  absolute: (path: string) => string,
): { storePath: string; store: StoreConfig } {
  if (store.kind === 'postgres' && store.url !== undefined)
    return {
      storePath: describeUrl(store.url),
      store: { kind: 'postgres', url: store.url, leaseSeconds: store.leaseSeconds ?? DEFAULT_LEASE_SECONDS },
    };
  const path = absolute(store.path ?? '');
  return { storePath: path, store: { kind: 'sqlite', path } };
}
