/**
 * The validated, assembled configuration that the rest of firebell receives. `loadConfig()` in ./load.ts builds
 * it from the three YAML files (or reports every problem with file, line and key path); nothing else
 * reads YAML or the environment.
 */
import type { EscalationPolicy } from '../../machines/incident-types.js';
import type { Contact, CoreSettings, WhitelistedPerson } from '../core/settings.js';
import type {
  EmailConfig,
  FirebellFile,
  GroupConfig,
  IrcNetworkConfig,
  MatrixNetworkConfig,
  RoleConfig,
  ShellNetworkConfig,
} from './schema.js';

// The core's words for what the files describe (src/core/settings.ts); re-exported for the edge's callers.
export type { Contact, WhitelistedPerson } from '../core/settings.js';
export { policyForGroup, whitelistFileName } from '../core/settings.js';

export interface ConfigFiles {
  /** Absolute paths, so every message can name the file. */
  readonly firebell: string;
  readonly contacts: string;
  readonly whitelist: string;
}

/** Where the durable state is: one SQLite file, or a PostgreSQL database shared by standby instances. */
export type StoreConfig =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly leaseSeconds: number };

/**
 * What the files say, mapped into the core's settings (the compiler checks that every field here is one the
 * core accepts) plus what only the edge uses: the networks and the store.
 */
export interface Config extends CoreSettings {
  /** Each intake source's token (the HTTP adapter checks them; the core never sees secrets). */
  readonly intakeTokens: Readonly<Partial<Record<'alertmanager' | 'grafana' | 'generic', string>>>;
  readonly files: ConfigFiles;
  readonly bot: FirebellFile['bot'];
  /** Absolute path of the SQLite file; for PostgreSQL, the server and database (never the password). */
  readonly storePath: string;
  readonly store: StoreConfig;
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
  /** One-tap ack links in pages off chat: the signing secret (the edge's alone) and their lifetime. */
  readonly ackLinks?: FirebellFile['ackLinks'];
  /** The dead-man's-switch URL and how often to call it. */
  readonly heartbeat?: FirebellFile['heartbeat'];
  readonly contacts: readonly Contact[];
  readonly whitelist: readonly WhitelistedPerson[];
}
