/**
 * A workaround for the SASL race of irc-framework 4.14 (kiwiirc/irc-framework#390): it sends CAP END on
 * 900 RPL_LOGGEDIN, before 903 arrives, which some services take as an abort. Run inside a raw
 * middleware, this hides the negotiation from irc-framework's 900 handler, so CAP END waits for 903/904.
 * Returns true when it handled the line (and called `next`).
 */
import type { Client } from 'irc-framework';

export function deferCapEndPastLoggedIn(command: string, client: Client, next: () => void): boolean {
  if (command !== '900' || !client.network.cap.negotiating || !client.network.cap.isEnabled('sasl'))
    return false;
  client.network.cap.negotiating = false;
  next();
  client.network.cap.negotiating = true;
  return true;
}
