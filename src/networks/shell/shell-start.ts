/**
 * Whether the shell network runs, decided before anything starts. The shell reads the terminal; started
 * without one (systemd, a container, `</dev/null`) it would read end of input at once and stop firebell,
 * silently, with status 0. So without a terminal the shell is off unless `--shell` asks for it on a pipe
 * (scripts, tests): beside IRC or Matrix firebell runs without it and says so; alone, nobody would ever
 * see firebell, so it refuses to start and names the key to change.
 */
import type { Config } from '../../config/config.js';

export type ShellDecision =
  { readonly run: boolean; readonly warning?: string } | { readonly run: false; readonly refusal: string };

export interface ShellStartInput {
  /** Standard input is a terminal. */
  readonly terminal: boolean;
  /** `--shell`: run the shell on standard input even when it is a pipe. */
  readonly forced: boolean;
}

export function decideShell(config: Config, input: ShellStartInput): ShellDecision {
  if (!config.networks.shell?.enabled) return { run: false };
  if (input.terminal || input.forced) return { run: true };
  const file = config.files.firebell;
  const others = config.networks.irc.length + config.networks.matrix.length;
  if (others > 0)
    return {
      run: false,
      warning:
        `the shell network is off: standard input is not a terminal. firebell runs on its IRC and Matrix ` +
        `networks; set networks.shell.enabled: false in ${file} to say so, or pass --shell to read a pipe.`,
    };
  return {
    run: false,
    refusal:
      `the shell network is the only network, and standard input is not a terminal (systemd, a container, ` +
      `</dev/null): nobody would see what firebell says, so it did not start. For production set ` +
      `networks.shell.enabled: false in ${file} and configure an IRC or Matrix network ` +
      `(docs/configuration.md); to try firebell, run it in a terminal; to drive the shell from a pipe, ` +
      `add --shell.`,
  };
}

/** What the shell says when its input ends: firebell stops, and what becomes of the open incidents. */
export function endOfInputNotice(openIncidents: readonly number[], storePath: string): string {
  if (openIncidents.length === 0) return 'End of input: firebell stops. No incident is open.';
  const ids = openIncidents.map((id) => `#${id}`).join(', ');
  const count = openIncidents.length === 1 ? '1 incident is' : `${openIncidents.length} incidents are`;
  return (
    `End of input: firebell stops. ${count} still open (${ids}): nobody is paged or reminded while ` +
    `firebell is stopped. They are kept in ${storePath} and resume, with their timers, when firebell ` +
    `starts again; a page that fell due meanwhile goes out then, once.`
  );
}
