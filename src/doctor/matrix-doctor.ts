/**
 * `firebell doctor` on one Matrix homeserver, over the client-server API: the token (or a password login,
 * logged out again afterwards so no device is left behind) and that it is the configured user; each room
 * resolved, joined (as firebell would at start), not end-to-end encrypted, and the power level to change
 * its topic; each contact's and whitelisted person's Matrix id known to the homeserver. No message is sent.
 */
import type { MatrixNetworkConfig } from '../config/schema.js';
import { fail, ok, warn, type Finding, type NetworkReport } from './report.js';
import { errorMessage } from '../core/error-message.js';

export interface MatrixRoomToCheck {
  readonly room: string;
  readonly topic: boolean;
}

export interface MatrixUserToCheck {
  readonly who: string;
  readonly userId: string;
}

export interface MatrixDoctorInput {
  readonly network: MatrixNetworkConfig;
  readonly rooms: readonly MatrixRoomToCheck[];
  readonly users: readonly MatrixUserToCheck[];
  readonly timeoutMs: number;
}

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const C = '/_matrix/client/v3';

class Api {
  token = '';
  constructor(
    private readonly base: string,
    private readonly deadline: number,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(new URL(path, this.base), {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(Math.max(1, this.deadline - Date.now())),
    });
    const text = await response.text();
    let parsed: unknown = {};
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = {};
    }
    const record = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
    return { status: response.status, body: record };
  }
}

const reason = (answer: Answer): string =>
  `${answer.status}${typeof answer.body.errcode === 'string' ? ` ${answer.body.errcode}` : ''}${
    typeof answer.body.error === 'string' ? `: ${answer.body.error}` : ''
  }`;

export async function diagnoseMatrix(input: MatrixDoctorInput): Promise<NetworkReport> {
  const { network } = input;
  const title = `Matrix ${network.id} (${network.homeserver})`;
  const findings: Finding[] = [];
  const api = new Api(network.homeserver, Date.now() + input.timeoutMs);
  let loggedInHere = false;
  try {
    const versions = await api.call('GET', '/_matrix/client/versions');
    if (versions.status !== 200 || !Array.isArray(versions.body.versions)) {
      findings.push(
        fail(
          'homeserver',
          `${network.homeserver} does not answer as a Matrix homeserver (${reason(versions)})`,
        ),
      );
      return { title, findings };
    }
    if (network.accessToken !== undefined) {
      api.token = network.accessToken;
    } else {
      const login = await api.call('POST', `${C}/login`, {
        type: 'm.login.password',
        identifier: { type: 'm.id.user', user: network.userId },
        password: network.password,
        initial_device_display_name: 'firebell doctor',
      });
      if (login.status !== 200 || typeof login.body.access_token !== 'string') {
        findings.push(
          fail('login', `the password login as ${network.userId} was refused (${reason(login)})`),
        );
        return { title, findings };
      }
      api.token = login.body.access_token;
      loggedInHere = true;
    }
    const whoami = await api.call('GET', `${C}/account/whoami`);
    if (whoami.status !== 200) {
      findings.push(fail('access token', `the homeserver rejected it (${reason(whoami)})`));
      return { title, findings };
    }
    if (whoami.body.user_id !== network.userId) {
      findings.push(
        fail('access token', `it belongs to ${String(whoami.body.user_id)}, not ${network.userId}`),
      );
      return { title, findings };
    }
    findings.push(ok(loggedInHere ? 'login' : 'access token', `valid for ${network.userId}`));
    const joined = await api.call('GET', `${C}/joined_rooms`);
    const joinedRooms = new Set(
      Array.isArray(joined.body.joined_rooms) ? (joined.body.joined_rooms as string[]) : [],
    );
    for (const room of input.rooms)
      findings.push(...(await checkRoom(api, network.userId, room, joinedRooms)));
    for (const user of input.users) findings.push(await checkUser(api, user));
    return { title, findings };
  } catch (error) {
    const message = errorMessage(error);
    findings.push(fail('homeserver', `cannot reach ${network.homeserver}: ${message}`));
    return { title, findings };
  } finally {
    if (loggedInHere) await api.call('POST', `${C}/logout`, {}).catch(() => undefined);
  }
}

async function checkRoom(
  api: Api,
  me: string,
  room: MatrixRoomToCheck,
  joinedRooms: ReadonlySet<string>,
): Promise<Finding[]> {
  const what = `room ${room.room}`;
  let roomId = room.room;
  if (room.room.startsWith('#')) {
    const resolved = await api.call('GET', `${C}/directory/room/${encodeURIComponent(room.room)}`);
    if (resolved.status !== 200 || typeof resolved.body.room_id !== 'string')
      return [fail(what, `the alias does not resolve (${reason(resolved)})`)];
    roomId = resolved.body.room_id;
  }
  const findings: Finding[] = [];
  if (joinedRooms.has(roomId)) findings.push(ok(what, 'joined'));
  else {
    const join = await api.call('POST', `${C}/join/${encodeURIComponent(room.room)}`, {});
    if (join.status !== 200)
      return [
        fail(
          what,
          `firebell cannot join (${reason(join)}): invite it, from a contact, the whitelist or acceptInvitesFrom`,
        ),
      ];
    findings.push(ok(what, 'joined now (firebell was not in it yet)'));
  }
  const encryption = await api.call(
    'GET',
    `${C}/rooms/${encodeURIComponent(roomId)}/state/m.room.encryption/`,
  );
  if (encryption.status === 200) {
    findings.push(
      fail(what, 'the room is end-to-end encrypted: firebell cannot read it, and refuses such rooms'),
    );
    return findings;
  }
  if (!room.topic) return findings;
  const levels = await api.call('GET', `${C}/rooms/${encodeURIComponent(roomId)}/state/m.room.power_levels/`);
  if (levels.status !== 200) {
    findings.push(warn(`topic in ${room.room}`, `could not read the power levels (${reason(levels)})`));
    return findings;
  }
  const users = (levels.body.users ?? {}) as Record<string, unknown>;
  const events = (levels.body.events ?? {}) as Record<string, unknown>;
  const number = (value: unknown, fallback: number): number => (typeof value === 'number' ? value : fallback);
  const mine = number(users[me], number(levels.body.users_default, 0));
  const needed = number(events['m.room.topic'], number(levels.body.state_default, 50));
  findings.push(
    mine >= needed
      ? ok(`topic in ${room.room}`, `firebell's power level ${mine} may change it (needs ${needed})`)
      : fail(
          `topic in ${room.room}`,
          `changing it needs power level ${needed} and firebell has ${mine}: #status alert cannot change the topic (raise its level, or set topic: false for this member)`,
        ),
  );
  return findings;
}

async function checkUser(api: Api, user: MatrixUserToCheck): Promise<Finding> {
  const what = `${user.who}: Matrix id ${user.userId}`;
  const profile = await api.call('GET', `${C}/profile/${encodeURIComponent(user.userId)}`);
  if (profile.status === 200) return ok(what, 'exists');
  if (profile.status === 404)
    return fail(what, `the homeserver knows no such user (${reason(profile)}): pages cannot reach them`);
  return warn(what, `could not be checked (${reason(profile)})`);
}
