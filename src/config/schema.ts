/**
 * The shape of firebell's configuration, validated with zod. Three files:
 *   config/firebell.yaml  networks, channel groups, escalation policies, store, the bot itself
 *   config/contacts.yaml  people: handles, timezone, working hours, roles, tier
 *   whitelist.yaml        who may post `#status` updates (the file in git the seed asks for)
 * Every object is strict: an unknown key is an error, because a typo must never silently disable paging.
 * Field names carry their unit (`afterMinutes`, `linesPerSecond`).
 *
 * Why this file is long: the whole shape of the three files in one place, each key with its comment,
 * reads as the reference it is; the logic behind single values (hours, timezones) lives in its own file.
 */
import { z } from 'zod';
import { parseHours, type WorkingHours } from './hours.js';
import { timezone } from './timezone.js';
import { DEFAULT_STORM } from '../core/settings.js';
import { UNSET_SECRET } from './secrets.js';
import type { IrcHandle } from '../core/settings.js';

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const id = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'expected an id of lowercase letters, digits, "-" and "_", such as "opendev"',
  );
const positiveMinutes = z.number().positive('expected a number of minutes greater than 0');
/**
 * Channel names go into JOIN, PRIVMSG and TOPIC lines: a space or comma splits the parameter, a NUL, CR or LF
 * cuts the line, and IRC forbids BEL; other control characters (colours, bold) have no place in a name either.
 */
const ircChannel = z
  .string()
  .regex(/^[#&!+][^\s,\x00-\x1f\x7f]+$/, 'expected an IRC channel name such as "#opendev"');
const matrixRoom = z
  .string()
  .regex(
    /^[#!][^:\s]+:\S+$/,
    'expected a Matrix room alias such as "#opendev:example.org" or a room id "!abc:example.org"',
  );
export const matrixUserId = z
  .string()
  .regex(/^@[^:\s]+:\S+$/, 'expected a Matrix user id such as "@alice:example.org"');
const ircAccount = z.string().regex(/^[^\s!@#:,]+$/, 'expected an IRC services account name');
/**
 * Text sent inside an IRC command line (USER's realname, PASS, NickServ IDENTIFY): irc-framework writes it
 * as it is, so a CR or LF would end the line and the rest would reach the server as a command of its own.
 */
const ircLineText = nonEmpty.regex(
  /^[^\r\n\0]*$/,
  'must not contain a line break (CR, LF) or NUL: it is sent in an IRC command line',
);
/**
 * Text written in a mail header. nodemailer keeps a line break out of the header but parses an address
 * header's next line as addresses: "\r\nBcc: evil@example.org" in `from` made evil@example.org the sender.
 */
const mailHeaderText = nonEmpty.regex(
  /^[^\x00-\x1f\x7f]*$/,
  'must not contain a line break (CR, LF) or another control character: it is written in a mail header',
);
/** A JOIN parameter: a space or comma would split it into other parameters. */
const channelKey = z
  .string()
  .regex(/^[^\s,\0]+$/, 'expected a channel key without spaces, commas or line breaks');
const ircNick = z.string().regex(/^[A-Za-z\[\]\\`_^{|}][A-Za-z0-9\[\]\\`_^{|}-]*$/, 'expected an IRC nick');
/** A pattern that must compile: a broken one would silently stop ignoring another bot, and loop. */
const regex = nonEmpty.refine(
  (source) => {
    try {
      new RegExp(source);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'expected a regular expression (JavaScript syntax), such as "^oftc_.*$"' },
);
/** Hosts whose SMTP traffic stays on this machine (what `allowPlaintext` is for). */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

const url = z.url({ message: 'expected a URL such as "https://example.org/playbook"' });
/** Where the HTTP listener binds; a port out of range would only fail at start, leaving no site and no hooks. */
const listenAddress = z
  .string()
  .regex(
    /^[^:\s]+:(?:6553[0-5]|655[0-2]\d|65[0-4]\d\d|6[0-4]\d{3}|[1-5]\d{4}|\d{1,4})$/,
    'expected host:port with a port from 0 to 65535, such as "127.0.0.1:8080"',
  );

// ---------------------------------------------------------------- firebell.yaml

const pacing = z.strictObject({
  /** Lines that may go out at once before pacing starts. */
  burst: z.number().int().min(1).max(20).default(4),
  /**
   * Sustained rate after the burst. Libera/OFTC-class servers tolerate about 2/s; 0.5 is safe. Slower
   * than 0.1 protects nothing and holds pages back (at 0.0001 a line every 3 hours; below 5e-7 the
   * wait overflows Node's timers, which then fire every millisecond).
   */
  linesPerSecond: z
    .number()
    .min(
      0.1,
      'expected at least 0.1 lines per second (one every 10 s): slower, a page queued behind a few lines waits minutes',
    )
    .max(20)
    .default(0.5),
  /** Bound on queued messages (a long one counts once); relayed chatter beyond it is dropped (with a count), pages never. */
  queueLimit: z.number().int().min(10).default(1000),
});

/** The IRC pacing a network gets when its config says nothing (the sample config's): benchmarks use it. */
export const DEFAULT_IRC_PACING: Readonly<z.output<typeof pacing>> = pacing.parse({});

const ircNetwork = z
  .strictObject({
    id,
    host: nonEmpty,
    /** Defaults to 6697 with TLS and 6667 without (irc-framework would use 6667 even with TLS). */
    port: z.number().int().min(1).max(65535).optional(),
    tls: z.boolean().default(true),
    tlsRejectUnauthorized: z.boolean().default(true),
    nick: ircNick,
    altNicks: z.array(ircNick).default([]),
    username: z
      .string()
      // Sent in USER: a NUL or control character would cut or colour the line.
      .regex(/^[^\s@\x00-\x1f\x7f]+$/, 'expected an IRC username (ident)')
      .default('firebell'),
    /** Defaults to a bot label with the admin contact, as network bot policies ask. */
    realname: ircLineText.optional(),
    /** Server password (PASS). */
    password: ircLineText.optional(),
    sasl: z.strictObject({ account: nonEmpty, password: nonEmpty }).optional(),
    /** NickServ IDENTIFY, used when SASL is not configured or fails. */
    nickservPassword: ircLineText.optional(),
    /** Channel keys for +k channels. */
    channelKeys: z.record(ircChannel, orUnsetSecret(channelKey)).default({}),
    pacing: pacing.default({ ...DEFAULT_IRC_PACING }),
    /**
     * Networks without services (no accounts) cannot verify anyone. Only if this is true does a nick count
     * as an identity there, for privileged commands. Never enable it on a network with services.
     */
    trustNicksWithoutServices: z.boolean().default(false),
    /** Seconds of silence from the server before the connection is considered dead. */
    pingTimeoutSeconds: z.number().int().min(10).default(120),
    /**
     * The network's web chat, for the play book's join links; `{channel}` is replaced by the channel name
     * without its `#` ("https://webchat.oftc.net/?channels={channel}").
     */
    webchatUrl: url.optional(),
  })
  .transform((network) => ({
    ...network,
    kind: 'irc' as const,
    port: network.port ?? (network.tls ? 6697 : 6667),
  }));

const matrixNetwork = z
  .strictObject({
    id,
    homeserver: url,
    userId: matrixUserId,
    /** An access token; or a password, exchanged once for a token that is stored. */
    accessToken: nonEmpty.optional(),
    password: nonEmpty.optional(),
    /** Users (besides contacts and the whitelist) whose invites the bot accepts. */
    acceptInvitesFrom: z.array(matrixUserId).default([]),
    queueLimit: z.number().int().min(10).default(1000),
  })
  .refine((network) => network.accessToken !== undefined || network.password !== undefined, {
    message: 'needs accessToken or password',
  })
  .transform((network) => ({ ...network, kind: 'matrix' as const }));

const shellNetwork = z
  .strictObject({
    enabled: z.boolean().default(true),
    /** Who you are when firebell starts; `/as <contact>` switches. */
    user: nonEmpty.default('you'),
  })
  .transform((network) => ({ ...network, id: 'shell', kind: 'shell' as const }));

const groupMember = z
  .strictObject({
    network: id,
    channel: ircChannel.optional(),
    room: matrixRoom.optional(),
    /** Set to false to keep firebell (and `#status alert`) from changing this channel's topic. */
    topic: z.boolean().default(true),
    /** Set to false to leave this channel out of `#status` fan-out. */
    status: z.boolean().default(true),
  })
  .refine((member) => (member.channel === undefined) !== (member.room === undefined), {
    message: 'give exactly one of channel (IRC, shell) or room (Matrix)',
  })
  .transform(({ channel, room, ...rest }) => ({ ...rest, conversation: (channel ?? room) as string }));

const group = z.strictObject({
  id,
  name: nonEmpty.optional(),
  members: z.array(groupMember).min(1, 'a group needs at least one channel or room'),
  /** Escalation policy for incidents declared in this group; defaults to escalation.defaultPolicy. */
  policy: id.optional(),
  /** Relay conversation between the members (the bridge). */
  relay: z.boolean().default(true),
  relayJoinsAndParts: z.boolean().default(false),
  /** On Matrix, an incident's follow-ups go into a thread rooted at its announcement (absent: true). */
  matrixThreads: z.boolean().optional(),
});

const tier = z.strictObject({ tier: z.number().int().min(1), afterMinutes: positiveMinutes });

const policy = z.strictObject({
  tiers: z.array(tier).min(1, 'a policy needs at least one tier'),
  repeat: z.number().int().min(0).max(100).default(0),
  whenExhausted: z
    .strictObject({
      action: z.enum(['stop', 'keep-paging-last-tier']),
      afterMinutes: positiveMinutes,
    })
    .default({ action: 'stop', afterMinutes: 30 }),
  ackTimeoutMinutes: positiveMinutes.nullable().default(null),
  statusReminder: z
    .strictObject({ afterMinutes: positiveMinutes, repeatMinutes: positiveMinutes.nullable().default(null) })
    .nullable()
    .default({ afterMinutes: 10, repeatMinutes: null }),
  nobodyAwake: z.enum(['soonest', 'whole-tier', 'next-tier']).default('soonest'),
});

/**
 * A value that carries a secret and whose shape is checked (a URL): the placeholder of one left unset
 * where that is allowed (`firebell check` without production secrets, secrets.ts) passes.
 */
function orUnsetSecret(schema: z.ZodType<string>): z.ZodType<string> {
  return z.union([z.literal(UNSET_SECRET), schema]);
}

/** See `bot.shutdownGraceSeconds`. */
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 7;

/**
 * A secret at least `length` long. The placeholder of a secret left unset where that is allowed
 * (`firebell check` without production secrets, secrets.ts) passes: its length says nothing.
 */
const secretOfAtLeast = (length: number, message: string): z.ZodString =>
  z.string().refine((value) => value === UNSET_SECRET || value.length >= length, { message });

/** A hook's shared secret: long enough that guessing it is hopeless (write it as ${ENV}). */
const hookToken = secretOfAtLeast(
  16,
  'expected a token of at least 16 characters (write ${NAME} to take it from the environment)',
);
const intakeSource = z.strictObject({ token: hookToken });

const intake = z.strictObject({
  group: id,
  policy: id.optional(),
  flapWindowMinutes: z.number().min(0).max(1440).default(5),
  storm: z
    .strictObject({
      groups: z.number().int().min(0).max(10_000).default(DEFAULT_STORM.groups),
      windowMinutes: z.number().min(1).max(1440).default(DEFAULT_STORM.windowMinutes),
    })
    .default(DEFAULT_STORM),
  sources: z.strictObject({
    alertmanager: intakeSource.optional(),
    grafana: intakeSource.optional(),
    generic: intakeSource.optional(),
  }),
  routes: z
    .array(
      z.strictObject({
        match: z.record(z.string(), z.string()),
        group: id.optional(),
        policy: id.optional(),
      }),
    )
    .default([]),
});

const permission = z.enum(['anyone', 'verified', 'contacts', 'whitelist']);

const role = z.strictObject({ id, name: nonEmpty, description: nonEmpty });

/** Lease defaults (store.kind postgres): a standby takes over within about lease + poll seconds. */
export const DEFAULT_LEASE_SECONDS = 6;

/**
 * The store: a SQLite file (the default, `path`), or a PostgreSQL database (`kind: postgres`, `url`) that two
 * or more instances share, one active under a lease (docs/deployment.md). One strict object rather than a
 * union, so each mistake gets its own message naming its key.
 */
const storeSection = z
  .strictObject({
    kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
    /** kind sqlite: the file. */
    path: nonEmpty.optional(),
    /** kind postgres: a libpq connection URL, e.g. ${DATABASE_URL}. */
    url: orUnsetSecret(
      z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL'),
    ).optional(),
    /** kind postgres: how long the active instance's lease lasts without renewal (renewed every third). */
    leaseSeconds: z
      .number()
      .min(2, 'expected at least 2 seconds')
      .max(300, 'expected at most 300 seconds')
      .optional(),
  })
  .superRefine((store, ctx) => {
    const wrong = (key: string, message: string): void =>
      ctx.addIssue({ code: 'custom', path: [key], message });
    if (store.kind === 'sqlite') {
      if (store.path === undefined)
        wrong('path', 'the SQLite store needs a path (or kind: postgres with a url)');
      if (store.url !== undefined) wrong('url', 'url is for kind: postgres; the SQLite store takes a path');
      if (store.leaseSeconds !== undefined) wrong('leaseSeconds', 'leaseSeconds is for kind: postgres');
    } else {
      if (store.url === undefined) wrong('url', 'kind: postgres needs a url, e.g. url: ${DATABASE_URL}');
      if (store.path !== undefined) wrong('path', 'path is for the SQLite store; kind: postgres takes a url');
    }
  });

export const firebellFileSchema = z.strictObject({
  bot: z.strictObject({
    name: nonEmpty.default('firebell'),
    /** How to reach the humans who run the bot; goes into the IRC realname and the play book. */
    admin: ircLineText,
    /** The public play book; every announcement and page links to it. */
    playbookUrl: url,
    /** Where people read and propose changes to whitelist.yaml (its page in the git repository); the play book links it. */
    whitelistUrl: url.optional(),
    /** Base URL of firebell's own HTTP listener, for links to long relayed messages. */
    publicUrl: url.optional(),
    /** Where that listener binds, e.g. "127.0.0.1:8080". */
    httpListen: listenAddress.optional(),
    /**
     * On SIGTERM/SIGINT, how long to keep sending what is queued before stopping; what is left is sent at
     * the next start. Below the 10 s after which container managers send SIGKILL, by default.
     */
    shutdownGraceSeconds: z
      .number()
      .min(0, 'expected 0 or more seconds')
      .max(300, 'expected at most 300 seconds (a stop must not hang for long)')
      .optional(),
  }),
  /** firebell's one HTTP listener: the status site, long relayed messages, health and metrics. */
  http: z
    .strictObject({
      listen: listenAddress.optional(),
      publicUrl: url.optional(),
    })
    .optional(),
  /** Maintenance windows planned ahead: alerts from monitoring for the group do not page meanwhile. */
  maintenance: z
    .array(
      z
        .strictObject({
          group: id,
          start: z.iso.datetime({
            offset: true,
            message: 'expected a date and time such as 2026-12-24T06:00:00Z',
          }),
          end: z.iso.datetime({
            offset: true,
            message: 'expected a date and time such as 2026-12-24T08:00:00Z',
          }),
          reason: nonEmpty,
        })
        .refine((window) => Date.parse(window.end) > Date.parse(window.start), {
          message: 'end must come after start',
          path: ['end'],
        }),
    )
    .default([]),
  /** Alerts from monitoring: Alertmanager, Grafana and a generic JSON hook, on the HTTP listener. */
  intake: intake.optional(),
  store: storeSection,
  files: z
    .strictObject({
      contacts: nonEmpty.default('contacts.yaml'),
      whitelist: nonEmpty.default('../whitelist.yaml'),
    })
    .default({ contacts: 'contacts.yaml', whitelist: '../whitelist.yaml' }),
  networks: z.strictObject({
    shell: shellNetwork.optional(),
    irc: z.array(ircNetwork).default([]),
    matrix: z.array(matrixNetwork).default([]),
  }),
  groups: z.array(group).min(1, 'at least one channel group is needed to announce incidents'),
  escalation: z.strictObject({
    defaultPolicy: id,
    policies: z.record(id, policy),
  }),
  incidents: z
    .strictObject({
      /** A second declaration of the same summary in the same group within this window joins the open incident. */
      dedupeWindowMinutes: positiveMinutes.default(15),
      permissions: z
        .strictObject({
          declare: permission.default('anyone'),
          ack: permission.default('verified'),
          unack: permission.default('verified'),
          assign: permission.default('verified'),
          resolve: permission.default('verified'),
        })
        .default({
          declare: 'anyone',
          ack: 'verified',
          unack: 'verified',
          assign: 'verified',
          resolve: 'verified',
        }),
    })
    .default({
      dedupeWindowMinutes: 15,
      permissions: {
        declare: 'anyone',
        ack: 'verified',
        unack: 'verified',
        assign: 'verified',
        resolve: 'verified',
      },
    }),
  statusbot: z
    .strictObject({
      /** builtin: firebell speaks `#status` itself. external: another statusbot does; firebell only prompts. */
      mode: z.enum(['builtin', 'external']).default('builtin'),
      /** In external mode: the other bot's nick per network, whose notices count as a status being posted. */
      externalBots: z.array(z.strictObject({ network: id, nick: nonEmpty })).default([]),
      /** Where `alert.json` is written ({"alert": msg} or {"alert": null}), atomically. */
      alertFile: nonEmpty.optional(),
    })
    .default({ mode: 'builtin', externalBots: [] }),
  roles: z.array(role).default([]),
  /** A dead-man's-switch URL called on schedule while firebell is healthy; see docs/offchat.md. */
  heartbeat: z
    .strictObject({
      /** healthchecks.io, an Uptime Kuma push URL...; it holds a secret: `${ENV}`. */
      url: orUnsetSecret(url),
      everySeconds: z.number().int().min(10, 'expected at least 10 seconds').max(86_400).default(60),
    })
    .optional(),
  /** SMTP for e-mail pages (contacts with `email`); see docs/offchat.md. */
  email: z
    .strictObject({
      host: nonEmpty,
      /** Default 465 with TLS from the start (`secure`), else 587 (STARTTLS, required unless allowPlaintext). */
      port: z.number().int().min(1).max(65535).optional(),
      secure: z.boolean().default(true),
      user: nonEmpty.optional(),
      password: nonEmpty.optional(),
      /** The sender, as in "firebell <firebell@example.org>". */
      from: mailHeaderText,
      /** Seconds to wait for the server before an attempt counts as failed (and is retried). */
      timeoutSeconds: z.number().min(1).max(300).default(30),
      /**
       * Mail may go without TLS when the server offers no STARTTLS. Pages carry ack links, which are
       * bearer secrets, so this is only for a relay on this machine (the host must be a loopback one).
       */
      allowPlaintext: z.boolean().default(false),
    })
    .superRefine((smtp, ctx) => {
      if (smtp.allowPlaintext && !LOOPBACK_HOSTS.has(smtp.host.toLowerCase()))
        ctx.addIssue({
          code: 'custom',
          path: ['allowPlaintext'],
          message: `plaintext SMTP would send ack links (bearer secrets) over the network in clear: allowPlaintext is only for a relay on this machine (host localhost, 127.0.0.1 or ::1), not ${smtp.host}`,
        });
    })
    .transform((smtp) => ({ ...smtp, port: smtp.port ?? (smtp.secure ? 465 : 587) }))
    .optional(),
  /** One-tap acknowledgement links in pages off chat (ntfy, e-mail); see docs/offchat.md. */
  ackLinks: z
    .strictObject({
      /** The HMAC-SHA256 key the links are signed with: from `${ENV}` or `${file:}`, never written here. */
      secret: secretOfAtLeast(
        32,
        'expected a secret of at least 32 characters, such as the output of `openssl rand -base64 32`',
      ),
      /** A link is refused this long after its page (and as soon as the incident resolves). */
      expiresAfterHours: z
        .number()
        .min(1, 'expected at least 1 hour')
        // Used links are remembered as long as handled messages (7 days): a link must expire before.
        .max(168, 'expected at most 168 hours (7 days)')
        .default(24),
    })
    .optional(),
  bridge: z
    .strictObject({
      /** Matrix messages longer than this many lines reach IRC as their first lines plus a link. */
      maxLines: z.number().int().min(1).max(50).default(3),
      /** Regular expressions for other bots and bridges' puppets, whose messages are never relayed. */
      ignoreIrcNicks: z.array(regex).default([]),
      ignoreMatrixUsers: z.array(regex).default([]),
    })
    .default({ maxLines: 3, ignoreIrcNicks: [], ignoreMatrixUsers: [] }),
});

// ---------------------------------------------------------------- contacts.yaml

// Values are checked by parseHours, so that every bad day and range is reported, not just the first.
const hours = z.record(z.string(), z.unknown()).transform((raw, ctx): WorkingHours => {
  const parsed = parseHours(raw);
  if (!parsed.ok) {
    for (const problem of parsed.problems)
      ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path });
    return z.NEVER;
  }
  if (parsed.hours.length === 0) {
    // Never awake: escalation would wake them only when nobody else can be, and nobody would know why.
    ctx.addIssue({
      code: 'custom',
      message:
        "no working hours at all, so this person is never awake: give their hours, such as mon-fri: '09:00-17:00', or daily: '00:00-24:00' for always",
    });
    return z.NEVER;
  }
  return parsed.hours;
});

const NICK_IS_NOT_IDENTITY = 'a nick is not an identity (anyone can take a nick)';

/**
 * Services accounts belong to one network (OFTC's `alice` is not Libera's): `accounts` names the account
 * on each IRC network; `account` alone is for a configuration with one IRC network (check refuses it with
 * more, people-checks.ts).
 */
const ircAccounts = {
  account: ircAccount.optional(),
  accounts: z
    .record(id, ircAccount)
    .refine((byNetwork) => Object.keys(byNetwork).length > 0, {
      message: 'expected at least one network and its account, such as accounts: { oftc: alice }',
    })
    .optional(),
};

/** `account` or `accounts`, not both: which one counts on which network would be a guess. */
function oneWayToGiveAccounts(
  irc: { readonly account?: string | undefined; readonly accounts?: object | undefined },
  ctx: z.RefinementCtx,
): void {
  if (irc.account !== undefined && irc.accounts !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['accounts'],
      message: 'give account (one IRC network) or accounts (by network), not both',
    });
}

/** The core's shape: `account` is the one to show, the only one or the first listed. */
function ircHandleOf(irc: {
  readonly account?: string | undefined;
  readonly accounts?: Readonly<Record<string, string>> | undefined;
  readonly nick?: string | undefined;
}): IrcHandle | undefined {
  const account = irc.account ?? Object.values(irc.accounts ?? {})[0];
  if (account === undefined) return undefined;
  return {
    account,
    ...(irc.nick !== undefined ? { nick: irc.nick } : {}),
    ...(irc.account === undefined && irc.accounts !== undefined ? { accounts: irc.accounts } : {}),
  };
}

const ircHandle = z
  .strictObject({
    /** The services (NickServ) account: what permission checks use. */
    ...ircAccounts,
    /** The usual nick, for highlights. Defaults to the account. */
    nick: ircNick.optional(),
  })
  .superRefine((irc, ctx) => {
    oneWayToGiveAccounts(irc, ctx);
    if (irc.account === undefined && irc.accounts === undefined)
      ctx.addIssue({
        code: 'custom',
        message: `irc needs the services account, as in irc: { account: alice }, or by network, as in irc: { accounts: { oftc: alice } }: ${NICK_IS_NOT_IDENTITY}`,
      });
  })
  .transform((irc, ctx): IrcHandle => {
    const handle = ircHandleOf(irc);
    if (handle === undefined) {
      ctx.addIssue({ code: 'custom', message: 'irc needs the services account' });
      return z.NEVER;
    }
    return handle;
  });

/** ntfy topics: letters, digits, "-" and "_", at most 64 (ntfy's own rule). Anyone who guesses it can read it. */
const ntfyTopic = z
  .string()
  .regex(/^[-_A-Za-z0-9]{1,64}$/, 'expected an ntfy topic of letters, digits, "-" and "_" (at most 64)');

/**
 * Sent as `Authorization: Bearer <token>`: fetch refuses a line break or a character past Latin-1 in a header,
 * so every page would fail as "unreachable", and its reason would quote the header, token and all.
 */
const ntfyToken = z
  .string()
  .regex(
    /^[\x21-\x7e]+$/,
    'expected an ntfy access token such as "tk_..." (visible ASCII, no spaces or line breaks)',
  );

const ntfyHandle = z.strictObject({
  /** The ntfy server: https://ntfy.sh or a self-hosted one. */
  server: url.default('https://ntfy.sh'),
  topic: ntfyTopic,
  /** An access token (`tk_...`) for a server with access control; from `${ENV}` or `${file:}`. */
  token: orUnsetSecret(ntfyToken).optional(),
});

/** The ways off chat; each needs its handle on the contact (and e-mail the SMTP settings). */
export const OFF_CHAT_WAYS = ['ntfy', 'email'] as const;
const offChatWay = z.enum(OFF_CHAT_WAYS);

const offChat = z.strictObject({
  /** Ways a page takes besides chat. Default: every way the contact has. */
  pages: z.array(offChatWay).optional(),
  /** Ways a reminder (an unacknowledged page repeated) takes besides chat. Default: none. */
  reminders: z.array(offChatWay).default([]),
  /** Minutes after the page in chat, without an ack, before the ways off chat are used. Default: 0 (at once). */
  afterMinutes: z.number().min(0, 'expected 0 or more minutes').max(1440).default(0),
});

export const contactSchema = z
  .strictObject({
    id,
    name: nonEmpty,
    irc: ircHandle.optional(),
    matrix: matrixUserId.optional(),
    /** For the play book; and a way off chat for pages when firebell.yaml has `email` (SMTP). */
    email: z.email().optional(),
    /** Push notifications through ntfy (phone app, web); see docs/offchat.md. */
    ntfy: ntfyHandle.optional(),
    /** Which ways off chat pages and reminders take, and how long chat has first. */
    offChat: offChat.optional(),
    timezone,
    /** Weekday (mon, mon-fri, weekdays, weekends, daily) → "HH:MM-HH:MM" or a list; may cross midnight. */
    hours,
    roles: z.array(id).default([]),
    /** Escalation tier; omit for people who are contacts but never paged. */
    tier: z.number().int().min(1).optional(),
    /** How pages reach them: a highlight in the incident's channels, a private message, or both. */
    reach: z.enum(['highlight', 'private', 'both']).default('both'),
  })
  .superRefine((contact, ctx) => {
    // A way listed without its handle would silently never be used: exactly the night it matters.
    for (const list of ['pages', 'reminders'] as const)
      (contact.offChat?.[list] ?? []).forEach((way, index) => {
        if (contact[way] === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['offChat', list, index],
            message: `${way} is listed but this contact has no ${way}: add ${way === 'ntfy' ? 'ntfy: { topic: ... }' : 'email: ...'}, or remove it here`,
          });
      });
  });

export const contactsFileSchema = z.strictObject({ contacts: z.array(contactSchema) });

// ---------------------------------------------------------------- whitelist.yaml

/** `- ttx` in the whitelist: the statusbot habit this file must break. */
function bareNickMessage(nick: string): string {
  return (
    `"${nick}" is a bare nick, but ${NICK_IS_NOT_IDENTITY}: give the services account, ` +
    `as in { name: ${nick}, irc: { account: ${nick} } }, or refer to a contact, as in { contact: ${nick} }`
  );
}

/**
 * Either `{ contact: id }` (the contact's handles are used) or `{ name, irc: { account }, matrix }`. One
 * strict object rather than a union, so that each mistake gets its own message instead of "no union
 * member matched".
 */
const whitelistEntry = z
  .strictObject(
    {
      /** A contacts.yaml id: the contact's IRC account and Matrix id are whitelisted. */
      contact: id.optional(),
      name: nonEmpty.optional(),
      irc: z
        .strictObject({
          /** The services account (or accounts by network), which is what is checked. */
          ...ircAccounts,
          /** Informational: how people will see them. */
          nick: ircNick.optional(),
        })
        .optional(),
      matrix: matrixUserId.optional(),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type' && typeof issue.input === 'string'
          ? bareNickMessage(issue.input)
          : undefined,
    },
  )
  .superRefine((entry, ctx) => {
    if (entry.irc) oneWayToGiveAccounts(entry.irc, ctx);
    if (entry.irc && entry.irc.account === undefined && entry.irc.accounts === undefined) {
      const example = entry.irc.nick ?? entry.name ?? 'alice';
      ctx.addIssue({
        code: 'custom',
        path: ['irc'],
        message: `irc has no account, but ${NICK_IS_NOT_IDENTITY}: give the services account, as in irc: { account: ${example} }`,
      });
    }
    if (entry.contact !== undefined) {
      const extra = (['name', 'irc', 'matrix'] as const).filter((key) => entry[key] !== undefined);
      if (extra.length > 0)
        ctx.addIssue({
          code: 'custom',
          path: [],
          message: `a contact entry takes the handles from contacts.yaml: remove ${extra.join(' and ')}, or drop contact`,
        });
      return;
    }
    if (entry.name === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: 'give contact (an id from contacts.yaml), or name with irc.account and/or matrix',
      });
    else if (entry.irc === undefined && entry.matrix === undefined)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          'give irc.account (a services account) and/or matrix (a user id): a name alone identifies nobody',
      });
  })
  .transform((entry): WhitelistEntry =>
    entry.contact !== undefined
      ? { kind: 'contact', contact: entry.contact }
      : {
          kind: 'person',
          name: entry.name ?? '',
          ...(entry.irc && ircHandleOf(entry.irc) ? { irc: ircHandleOf(entry.irc) as IrcHandle } : {}),
          ...(entry.matrix !== undefined ? { matrix: entry.matrix } : {}),
        },
  );

type WhitelistEntry =
  | { readonly kind: 'contact'; readonly contact: string }
  | {
      readonly kind: 'person';
      readonly name: string;
      readonly irc?: IrcHandle;
      readonly matrix?: string;
    };

export const whitelistFileSchema = z.strictObject({ whitelist: z.array(whitelistEntry) });

export type FirebellFile = z.output<typeof firebellFileSchema>;
export type ContactsFile = z.output<typeof contactsFileSchema>;
export type WhitelistFile = z.output<typeof whitelistFileSchema>;
export type IrcNetworkConfig = z.output<typeof ircNetwork>;
export type MatrixNetworkConfig = z.output<typeof matrixNetwork>;
export type ShellNetworkConfig = z.output<typeof shellNetwork>;
export type GroupConfig = z.output<typeof group>;
export type GroupMemberConfig = z.output<typeof groupMember>;
export type PolicyConfig = z.output<typeof policy>;
export type Permission = z.output<typeof permission>;
export type RoleConfig = z.output<typeof role>;
export type ContactConfig = z.output<typeof contactSchema>;
export type OffChatWay = (typeof OFF_CHAT_WAYS)[number];
export type EmailConfig = NonNullable<z.output<typeof firebellFileSchema>['email']>;
export type WhitelistEntryConfig = z.output<typeof whitelistEntry>;
