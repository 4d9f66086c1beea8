/**
 * The test homeserver in a process of its own, for benchmarks that must not share an event loop with it.
 * argv[2] is a JSON setup: the server name, users (localpart, displayname) and one room (alias, creator,
 * members). Prints one JSON line with the URL, each user's id and token, and the room id; then serves until
 * killed.
 */
import { TestHomeserver } from '../test/matrix-homeserver/homeserver.js';

export interface HomeserverSetup {
  readonly serverName: string;
  readonly users: ReadonlyArray<{ readonly localpart: string; readonly displayname?: string }>;
  readonly room: { readonly alias: string; readonly creator: string; readonly members: readonly string[] };
}

export interface HomeserverReady {
  readonly url: string;
  readonly users: Record<string, { readonly userId: string; readonly token: string }>;
  readonly roomId: string;
}

const setup = JSON.parse(process.argv[2] as string) as HomeserverSetup;
const hs = await TestHomeserver.start({ serverName: setup.serverName });
hs.recordRequests = false;
const users: HomeserverReady['users'] = {};
for (const { localpart, displayname } of setup.users) {
  const user = hs.createUser(localpart, displayname === undefined ? {} : { displayname });
  users[localpart] = { userId: user.userId, token: user.token };
}
const creator = users[setup.room.creator]?.userId as string;
const roomId = hs.createRoom(creator, { preset: 'public_chat', room_alias_name: setup.room.alias });
for (const member of setup.room.members) hs.join(users[member]?.userId as string, roomId);
const ready: HomeserverReady = { url: hs.url, users, roomId };
process.stdout.write(`${JSON.stringify(ready)}\n`);
