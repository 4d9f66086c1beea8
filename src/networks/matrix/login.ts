/**
 * Getting a working access token before anything else: check that the URL is a Matrix homeserver, then
 * use the configured token, or the token stored from an earlier password login, or log in with the
 * password once and store the token. `whoami` confirms the token and that it is the configured user.
 * A password login always asks for the device firebell had before (stored): transaction ids are scoped to
 * the device (CS API "Transaction identifiers"), so a send retried across a new login is no duplicate.
 * Every failure is a MatrixStartError with a sentence an operator can act on; no secret is ever in it.
 * Rate limits and server errors are retried for a while (the adapter's one retry policy); if they last,
 * the failure counts as 'unreachable', which the adapter keeps retrying, never as a configuration error.
 */
import { MatrixClient } from 'matrix-bot-sdk';
import type { MatrixNetworkConfig } from '../../config/schema.js';
import type { Logger } from '../../core/logger.js';
import type { KeyValueStore } from '../../core/store.js';
import { classify, httpStatus } from './failures.js';
import type { Lookup, Retrier } from './retry.js';

export type MatrixStartProblem =
  'unreachable' | 'not-a-homeserver' | 'bad-token' | 'wrong-user' | 'login-failed';

export class MatrixStartError extends Error {
  constructor(
    readonly problem: MatrixStartProblem,
    message: string,
  ) {
    super(message);
    this.name = 'MatrixStartError';
  }
}

export interface Credentials {
  readonly accessToken: string;
  readonly userId: string;
  readonly deviceId: string | undefined;
}

const TOKEN_KEY = 'accessToken';
const DEVICE_KEY = 'deviceId';
const CHECK_TIMEOUT_MS = 15_000;

export interface LoginDeps {
  readonly kv: KeyValueStore;
  readonly namespace: string;
  readonly logger: Logger;
  readonly retrier: Retrier;
  /** How long each step is retried before the homeserver counts as unreachable. */
  readonly deadlineMs: number;
}

export async function logIn(config: MatrixNetworkConfig, deps: LoginDeps): Promise<Credentials> {
  const { kv, namespace, logger } = deps;
  const where = `networks.matrix "${config.id}"`;
  const lookup = deps.retrier.lookup(deps.deadlineMs, true);
  await checkHomeserver(config.homeserver, where, lookup);
  if (config.accessToken !== undefined) {
    const who = await whoami(config, config.accessToken, where, lookup);
    if (who) return { ...who, accessToken: config.accessToken };
    if (config.password === undefined) throw new MatrixStartError('bad-token', tokenRejected(config));
    logger.warn('the configured access token was rejected (M_UNKNOWN_TOKEN); using the password');
  }
  const stored = kv.get(namespace, TOKEN_KEY);
  if (stored !== undefined) {
    const who = await whoami(config, stored, where, lookup);
    if (who) return { ...who, accessToken: stored };
    logger.warn('the stored access token was rejected (M_UNKNOWN_TOKEN); logging in with the password again');
    kv.delete(namespace, TOKEN_KEY);
  }
  const accessToken = await logInAgain(config, kv.get(namespace, DEVICE_KEY), deps);
  const who = await whoami(config, accessToken, where, lookup);
  if (!who)
    throw new MatrixStartError('bad-token', `${where}: the token from a fresh login was rejected at once`);
  logger.info({ userId: who.userId, deviceId: who.deviceId }, 'logged in with the password; token stored');
  return { ...who, accessToken };
}

/** What to tell the operator when the homeserver does not know the configured token. */
export function tokenRejected(config: MatrixNetworkConfig): string {
  return (
    `networks.matrix "${config.id}": the homeserver ${config.homeserver} rejected the access token ` +
    '(M_UNKNOWN_TOKEN); create a new token for the bot account, or configure its password instead'
  );
}

/**
 * A new token by the password, on `deviceId` when known (the device the revoked token was on), stored
 * with its device for the next start. Rejects with a MatrixStartError.
 */
export async function logInAgain(
  config: MatrixNetworkConfig,
  deviceId: string | undefined,
  deps: LoginDeps,
): Promise<string> {
  const login = await passwordLogin(config, `networks.matrix "${config.id}"`, deps, deviceId);
  deps.kv.set(deps.namespace, TOKEN_KEY, login.access_token);
  if (login.device_id !== undefined) deps.kv.set(deps.namespace, DEVICE_KEY, login.device_id);
  return login.access_token;
}

/** CS API "GET /_matrix/client/versions": what every client checks before trusting a base URL. */
async function checkHomeserver(homeserver: string, where: string, lookup: Lookup): Promise<void> {
  let answer: unknown;
  try {
    answer = await lookup('GET /_matrix/client/versions', () =>
      new MatrixClient(homeserver, '').doRequest(
        'GET',
        '/_matrix/client/versions',
        null,
        null,
        CHECK_TIMEOUT_MS,
      ),
    );
  } catch (error) {
    const failure = classify(error);
    const status = httpStatus(error);
    if (failure.kind === 'stopped') throw error;
    if (
      failure.kind === 'rate-limited' ||
      (failure.kind === 'transient' && (status === undefined || status >= 500))
    ) {
      throw new MatrixStartError(
        'unreachable',
        `${where}: cannot reach the homeserver at ${homeserver} (${failure.detail}); check the URL and that the server is up`,
      );
    }
    throw new MatrixStartError(
      'not-a-homeserver',
      `${where}: ${homeserver} does not look like a Matrix homeserver: GET /_matrix/client/versions answered ` +
        `${status === undefined ? failure.detail : `HTTP ${status}`}; use the client-server API base URL (e.g. https://matrix.example.org)`,
    );
  }
  const versions = (answer as { versions?: unknown } | null)?.versions;
  if (!Array.isArray(versions)) {
    throw new MatrixStartError(
      'not-a-homeserver',
      `${where}: ${homeserver} does not look like a Matrix homeserver: GET /_matrix/client/versions answered ` +
        'without a list of versions; use the client-server API base URL (e.g. https://matrix.example.org)',
    );
  }
}

/** The token's user and device, or undefined when the homeserver does not know the token. */
async function whoami(
  config: MatrixNetworkConfig,
  token: string,
  where: string,
  lookup: Lookup,
): Promise<Omit<Credentials, 'accessToken'> | undefined> {
  let answer: { user_id?: unknown; device_id?: unknown };
  try {
    answer = (await lookup('whoami', () =>
      new MatrixClient(config.homeserver, token).getWhoAmI(),
    )) as typeof answer;
  } catch (error) {
    const failure = classify(error);
    if (failure.kind === 'unknown-token') return undefined;
    if (failure.kind === 'stopped') throw error;
    throw new MatrixStartError(
      'unreachable',
      `${where}: whoami failed at ${config.homeserver} (${failure.detail})`,
    );
  }
  if (answer.user_id !== config.userId) {
    throw new MatrixStartError(
      'wrong-user',
      `${where}: the access token belongs to ${String(answer.user_id)}, but userId is ${config.userId}`,
    );
  }
  return {
    userId: config.userId,
    deviceId: typeof answer.device_id === 'string' ? answer.device_id : undefined,
  };
}

interface LoginAnswer {
  readonly access_token: string;
  readonly device_id: string | undefined;
}

/**
 * CS API "POST /_matrix/client/v3/login" with m.login.password. Not idempotent (without a device id each
 * login makes a device), so only a 429 is retried here; a server error waits for the next round.
 */
async function passwordLogin(
  config: MatrixNetworkConfig,
  where: string,
  deps: LoginDeps,
  deviceId: string | undefined,
): Promise<LoginAnswer> {
  let answer: { access_token?: unknown; device_id?: unknown };
  try {
    answer = (await deps.retrier.run(
      { what: 'password login', idempotent: false, deadlineMs: deps.deadlineMs, answeredOnly: true },
      () =>
        new MatrixClient(config.homeserver, '').doRequest('POST', '/_matrix/client/v3/login', null, {
          type: 'm.login.password',
          identifier: { type: 'm.id.user', user: config.userId },
          password: config.password,
          initial_device_display_name: 'firebell',
          ...(deviceId === undefined ? {} : { device_id: deviceId }),
        }),
    )) as typeof answer;
  } catch (error) {
    const failure = classify(error);
    if (failure.kind === 'stopped') throw error;
    if (failure.kind === 'transient' || failure.kind === 'rate-limited')
      throw new MatrixStartError('unreachable', `${where}: password login failed (${failure.detail})`);
    if (failure.kind === 'forbidden') {
      throw new MatrixStartError(
        'login-failed',
        `${where}: the homeserver refused the password for ${config.userId} (${failure.detail})`,
      );
    }
    throw new MatrixStartError('login-failed', `${where}: password login failed (${failure.detail})`);
  }
  if (typeof answer.access_token !== 'string')
    throw new MatrixStartError('login-failed', `${where}: the password login answered without a token`);
  return {
    access_token: answer.access_token,
    device_id: typeof answer.device_id === 'string' ? answer.device_id : undefined,
  };
}
