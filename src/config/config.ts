/**
 * The validated, assembled configuration that the rest of firebell receives. `loadConfig()` in ./load.ts builds
 * it from the three YAML files (or reports every problem with file, line and key path); nothing else
 * reads YAML or the environment.
 */
import type { EscalationPolicy } from '../../machines/incident-types.js';
import type {
  ContactConfig,
  EmailConfig,
  FirebellFile,
  GroupConfig,
  IrcNetworkConfig,
  MatrixNetworkConfig,
  RoleConfig,
  ShellNetworkConfig,
} from './schema.js';

export type Contact = ContactConfig;

/** A person allowed to post `#status`, with the identities that prove it is them. */
export interface WhitelistedPerson {
  readonly name: string;
  /** Set when the entry refers to (or matches) a contact. */
  readonly contactId?: string;
  readonly irc?: { readonly account: string; readonly nick?: string };
  readonly matrix?: string;
}

export interface ConfigFiles {
  /** Absolute paths, so every message can name the file. */
  readonly firebell: string;
  readonly contacts: string;
  readonly whitelist: string;
}

export interface Config {
  readonly files: ConfigFiles;
  readonly bot: FirebellFile['bot'];
  /** Absolute path of the SQLite file. */
  readonly storePath: string;
  readonly networks: {
    readonly shell?: ShellNetworkConfig;
    readonly irc: readonly IrcNetworkConfig[];
    readonly matrix: readonly MatrixNetworkConfig[];
  };
  readonly groups: readonly GroupConfig[];
  /** Policies by name, in the form frozen into each incident. */
  readonly policies: Readonly<Record<string, EscalationPolicy>>;
  readonly defaultPolicy: string;
  readonly incidents: FirebellFile['incidents'];
  readonly statusbot: Omit<FirebellFile['statusbot'], 'alertFile'> & { readonly alertFile?: string };
  readonly roles: readonly RoleConfig[];
  readonly bridge: FirebellFile['bridge'];
  /** SMTP settings for e-mail pages; without them e-mail addresses are for the play book only. */
  readonly email?: EmailConfig;
  readonly contacts: readonly Contact[];
  readonly whitelist: readonly WhitelistedPerson[];
}

/** The policy for incidents declared in a group. */
export function policyForGroup(config: Config, groupId: string): EscalationPolicy {
  const group = config.groups.find((candidate) => candidate.id === groupId);
  const name = group?.policy ?? config.defaultPolicy;
  const policy = config.policies[name] ?? config.policies[config.defaultPolicy];
  if (!policy)
    throw new Error(`no escalation policy named "${name}" (the config loader should have caught this)`);
  return policy;
}

/** The file name people know the whitelist by, without the server's directories. */
export function whitelistFileName(config: Config): string {
  return config.files.whitelist.split(/[\\/]/).pop() || 'whitelist.yaml';
}
