/**
 * The baseline of the bridge benchmark: a bare relay in a process of its own (as firebell is), doing the
 * same two hops with the same libraries as firebell (irc-framework, matrix-bot-sdk) and no logic at all.
 * A line `copy ...` said in the IRC channel by `raw` is sent to the Matrix room as an m.text event (a PUT
 * with a transaction id, as firebell sends); an event `copy ...` from the Matrix user `raw` is said in the
 * channel. (The benchmark's other raw lines are not for it.) An IRC line waits argv[8] ms before it is
 * sent, as firebell holds a line to join it with what follows: the baseline waits as long on a timer, so
 * that a timer's lateness and what the other processes do meanwhile count on both sides. Prints "ready"
 * once in the channel and syncing; runs until killed.
 */
import IRC from 'irc-framework';
import { LogService, MatrixClient, MemoryStorageProvider } from 'matrix-bot-sdk';

const [portArg, channel, homeserver, token, roomId, rawMatrixUser, holdArg] = process.argv.slice(
  2,
) as string[];
const holdMs = Number(holdArg ?? 0);
const quiet = (): void => undefined;
LogService.setLogger({ trace: quiet, debug: quiet, info: quiet, warn: quiet, error: quiet });

const irc = new IRC.Client();
const joined = new Promise<void>((resolve) => {
  irc.use((_client, rawMiddleware) =>
    rawMiddleware.use((command, message, _raw, _client2, next) => {
      const text = message.params[1] ?? '';
      if (command === 'PRIVMSG' && message.nick === 'raw' && text.startsWith('copy '))
        setTimeout(
          () => void matrix.sendEvent(roomId as string, 'm.room.message', { msgtype: 'm.text', body: text }),
          holdMs,
        );
      if (command === 'JOIN' && message.nick === 'copier') resolve();
      next();
    }),
  );
});
irc.on('registered', () => irc.connection.write(`JOIN ${channel as string}`));
irc.connect({
  host: '127.0.0.1',
  port: Number(portArg),
  tls: false,
  nick: 'copier',
  username: 'copier',
  gecos: 'bare relay',
  account: {},
  auto_reconnect: false,
  ping_interval: 0,
  ping_timeout: 0,
  enable_echomessage: false,
  enable_chghost: false,
  version: null,
  encoding: 'utf8',
});

const matrix = new MatrixClient(homeserver as string, token as string, new MemoryStorageProvider());
matrix.on('room.message', (room: string, event: { sender: string; content: { body?: unknown } }) => {
  const body = String(event.content.body);
  if (room === roomId && event.sender === rawMatrixUser && body.startsWith('copy '))
    irc.connection.write(`PRIVMSG ${channel as string} :${body}`);
});
await matrix.start();
await joined;
process.stdout.write('ready\n');
