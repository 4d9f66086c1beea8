/**
 * The raw relay the IRC benchmark compares the bot with: a bare client in a process of its own (as the bot
 * is) that answers `!echo` at once, with no logic. The two-hop path through it differs from the bot's round
 * trip only by what the bot does. Prints "ready" once connected; runs until killed.
 */
import { IrcTestClient } from '../test/servers/irc-test-client.js';

const [portArg, replyTo, reply] = process.argv.slice(2);
const echo = await IrcTestClient.connect({ port: Number(portArg), nick: 'echo' });
echo.onLine((line) => {
  if (line.message.command === 'PRIVMSG' && line.message.params[1] === '!echo')
    echo.say(replyTo as string, reply as string);
});
process.stdout.write('ready\n');
