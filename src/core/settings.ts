/**
 * The core's own words for what it is told: the people, the groups of places, the permissions and the
 * settings it works with. They are defined here, not derived from the YAML schema, so that the core does not
 * change when a file format does; the config layer (src/config) validates its files and maps them into
 * these shapes at the edge, and the compiler checks that mapping. Lint keeps src/core from importing src/config.
 */
import type { EscalationPolicy } from '../../machines/incident-types.js';

/** ISO weekday: 1 is Monday, 7 is Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Part of a person's week when they are awake, in their own timezone. */
export interface WorkingInterval {
  readonly day: Weekday;
  /** Minutes after local midnight of `day`. */
  readonly startMinute: number;
  /** Minutes after local midnight of `day`; more than 1440 when the interval crosses midnight. */
  readonly endMinute: number;
}

export type WorkingHours = readonly WorkingInterval[];

/** How a page reaches a person in a channel: a highlight there, a private message, or both. */
export type Reach = 'highlight' | 'private' | 'both';

/** The ways off chat a page can take besides chat. */
export type OffChatWay = 'ntfy' | 'email';

/** A contact's ntfy topic (push to their phone). */
export interface NtfyHandle {
  readonly server: string;
  readonly topic: string;
  /** An access token; a secret (from the environment), never logged. */
  readonly token?: string | undefined;
}

/** Which ways off chat pages and reminders take, and how long chat has first. */
export interface OffChatPreferences {
  /** Undefined: every way the contact has. */
  readonly pages?: readonly OffChatWay[] | undefined;
  readonly reminders: readonly OffChatWay[];
  readonly afterMinutes: number;
}

/**
 * Someone's IRC identity: services accounts, which belong to one network each (OFTC's `alice` is not
 * Libera's); the nick is only where to highlight them.
 */
export interface IrcHandle {
  /** The account to show and to find them by (`!assign mquill`): the only one, or the first listed. */
  readonly account: string;
  readonly nick?: string | undefined;
  /**
   * The account on each IRC network, by network id; on a network not listed they have none. Absent:
   * `account` on any IRC network, which the config allows only while there is one.
   */
  readonly accounts?: Readonly<Record<string, string>> | undefined;
}

/** A person firebell may page (contacts.yaml). */
export interface Contact {
  readonly id: string;
  readonly name: string;
  readonly irc?: IrcHandle | undefined;
  readonly matrix?: string | undefined;
  readonly email?: string | undefined;
  /** IANA timezone, in which `hours` are read. */
  readonly timezone: string;
  readonly hours: WorkingHours;
  readonly roles: readonly string[];
  readonly tier?: number | undefined;
  readonly reach: Reach;
  readonly ntfy?: NtfyHandle | undefined;
  readonly offChat?: OffChatPreferences | undefined;
}

/** A person allowed to post `#status`, with the identities that prove it is them. */
export interface WhitelistedPerson {
  readonly name: string;
  /** Set when the entry refers to (or matches) a contact. */
  readonly contactId?: string | undefined;
  readonly irc?: IrcHandle | undefined;
  readonly matrix?: string | undefined;
}

/** Who may run a command. */
export type Permission = 'anyone' | 'verified' | 'contacts' | 'whitelist';

/** One channel or room of a group. */
export interface GroupMember {
  readonly network: string;
  /** An IRC or shell channel, or a Matrix room id or alias. */
  readonly conversation: string;
  /** Whether the statusbot sets this place's topic. */
  readonly topic: boolean;
  /** Whether `#status` notices are posted here. */
  readonly status: boolean;
}

/** Linked channels and rooms: announced together, bridged together. */
export interface Group {
  readonly id: string;
  readonly name?: string | undefined;
  readonly members: readonly GroupMember[];
  readonly policy?: string | undefined;
  readonly relay: boolean;
  readonly relayJoinsAndParts: boolean;
  /** On Matrix, an incident's follow-ups go into a thread rooted at its announcement (absent: true). */
  readonly matrixThreads?: boolean | undefined;
}

export interface BotSettings {
  readonly name: string;
  readonly admin: string;
  readonly playbookUrl: string;
  readonly whitelistUrl?: string | undefined;
  readonly publicUrl?: string | undefined;
  readonly httpListen?: string | undefined;
  readonly shutdownGraceSeconds?: number | undefined;
}

export interface IncidentSettings {
  readonly dedupeWindowMinutes: number;
  readonly permissions: {
    readonly declare: Permission;
    readonly ack: Permission;
    readonly unack: Permission;
    readonly assign: Permission;
    readonly resolve: Permission;
  };
}

export interface StatusbotSettings {
  /** `builtin`: firebell is the statusbot; `external`: another bot is, and firebell only prompts. */
  readonly mode: 'builtin' | 'external';
  readonly externalBots: readonly { readonly network: string; readonly nick: string }[];
  /** Absolute path of the statusbot's `alert.json`, when one is written. */
  readonly alertFile?: string | undefined;
}

export interface Role {
  readonly id: string;
  readonly name: string;
  readonly description: string;
}

export interface BridgeSettings {
  readonly maxLines: number;
  /** Regular expressions, as sources. */
  readonly ignoreIrcNicks: readonly string[];
  readonly ignoreMatrixUsers: readonly string[];
}

/** Which group and policy an alert from monitoring goes to: the first route whose labels all match. */
export interface IntakeRoute {
  /** Label values the alert's common labels must have (`severity` also matches the alert's severity). */
  readonly match: Readonly<Record<string, string>>;
  readonly group?: string | undefined;
  readonly policy?: string | undefined;
}

/** Alerts from monitoring (Alertmanager, Grafana, the generic hook): where they go, and how flapping is held. */
export interface IntakeSettings {
  /** Where an alert goes that no route matches. */
  readonly group: string;
  /** Its policy; default: the group's. */
  readonly policy?: string | undefined;
  readonly routes: readonly IntakeRoute[];
  /**
   * When monitoring says an alert group is resolved, its incident closes after this long unless the group
   * fires again meanwhile; a group that flaps keeps its one incident instead of being announced each time.
   * 0 closes at once.
   */
  readonly flapWindowMinutes: number;
  /** When many new alert groups arrive at once, the rest join one storm incident (alert-storm.ts). */
  readonly storm?: StormSettings | undefined;
}

/** More than `groups` new alert groups in one channel group within `windowMinutes` is a storm; 0 never. */
export interface StormSettings {
  readonly groups: number;
  readonly windowMinutes: number;
}

export const DEFAULT_STORM: StormSettings = { groups: 10, windowMinutes: 5 };

/** A maintenance window planned in the config. */
export interface PlannedMaintenance {
  /** A group id, or `all`. */
  readonly group: string;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly reason: string;
}

/** Everything the core is told at start. */
export interface CoreSettings {
  /** Where the whitelist lives, so that messages can name the file people know. */
  readonly files: { readonly whitelist: string };
  readonly bot: BotSettings;
  readonly groups: readonly Group[];
  /** Policies by name, in the form frozen into each incident. */
  readonly policies: Readonly<Record<string, EscalationPolicy>>;
  readonly defaultPolicy: string;
  readonly incidents: IncidentSettings;
  readonly statusbot: StatusbotSettings;
  readonly roles: readonly Role[];
  readonly bridge: BridgeSettings;
  readonly contacts: readonly Contact[];
  readonly whitelist: readonly WhitelistedPerson[];
  /** Monitoring intake; absent when no intake source is configured. */
  readonly intake?: IntakeSettings | undefined;
  readonly maintenance?: readonly PlannedMaintenance[] | undefined;
}

/** The policy for incidents declared in a group. */
export function policyForGroup(settings: CoreSettings, groupId: string): EscalationPolicy {
  const group = settings.groups.find((candidate) => candidate.id === groupId);
  const name = group?.policy ?? settings.defaultPolicy;
  const policy = settings.policies[name] ?? settings.policies[settings.defaultPolicy];
  if (!policy)
    throw new Error(`no escalation policy named "${name}" (the config loader should have caught this)`);
  return policy;
}

/** The file name people know the whitelist by, without the server's directories. */
export function whitelistFileName(settings: CoreSettings): string {
  return settings.files.whitelist.split(/[\\/]/).pop() || 'whitelist.yaml';
}
