/**
 * What `firebell --help`, `firebell help [command]` and `firebell <command> --help` print. The README's
 * "Operating it" section shows the same text; a test keeps them equal.
 */

export type CliCommand = 'run' | 'check' | 'playbook' | 'simulate' | 'doctor' | 'migrate' | 'help';

export const CLI_COMMANDS: readonly CliCommand[] = [
  'run',
  'check',
  'playbook',
  'simulate',
  'doctor',
  'migrate',
  'help',
];

export const EXIT_CODES = `Exit codes:
  0  done: the bot stopped cleanly, the configuration is valid, doctor found nothing that will fail
  1  the configuration has problems, firebell could not start, or doctor found something that will fail
  2  the command line is wrong (an unknown command or option, a bad value)
  3  another instance took over (PostgreSQL store): restart it, and it stands by`;

export const GENERAL_HELP = `usage: firebell [command] [options]

Commands:
  run        run the bot (the default command)
  check      validate the configuration; works without the production secrets
  playbook   write the play book, as Markdown or HTML
  simulate   who would be paged when, for an incident declared at a given time
  doctor     connect to every network with the real secrets and report what will fail
  migrate    bring the store's schema up to date, then exit (run also does it at start)
  help       this text, or one command's: firebell help <command>

Options for every command:
  -c, --config DIR   the configuration directory (default: ./config)
  -h, --help         help for the command
  -V, --version      print the version

Environment: FIREBELL_LOG_LEVEL (default info; warn in an interactive shell session), and the
\${VARIABLES} the configuration names for its secrets.

${EXIT_CODES}`;

export const COMMAND_HELP: Record<CliCommand, string> = {
  run: `usage: firebell run [--config DIR] [--shell]

Runs the bot on the networks the configuration enables, until SIGTERM or SIGINT (or, in the shell,
Ctrl-D or /quit). Open incidents are kept in the store and resume with their timers at the next start.

The shell network reads the terminal. Without one (systemd, a container, </dev/null) firebell turns the
shell off when IRC or Matrix networks are configured, and refuses to start when the shell is its only
network, naming the key to change.

  --shell   run the shell network on standard input even when it is not a terminal (scripts, tests)

${EXIT_CODES}`,
  check: `usage: firebell check [--config DIR]

Validates firebell.yaml, contacts.yaml and the whitelist together, as firebell run would, and prints
every problem with its file, line and key. Secrets need not be set: an unset \${VARIABLE} under a
secret key (a password, a token) is a warning, so a config repository's CI can run it.

${EXIT_CODES}`,
  playbook: `usage: firebell playbook [--config DIR] [--format markdown|html] [--out FILE]

Writes the play book generated from the configuration: Markdown for a wiki or repository (default), or
one self-contained, mobile-first HTML page. Secrets need not be set.

  --format markdown|html   default: markdown
  -o, --out FILE           write to FILE instead of standard output

${EXIT_CODES}`,
  simulate: `usage: firebell simulate [--config DIR] [--at WHEN] [--group ID]

Says, without connecting anywhere, who an incident declared at WHEN would page and when, tier by tier,
on which networks, and where nobody can be reached. Secrets need not be set.

  --at WHEN    now (default), "Sun 03:00 UTC", "Sun 03:00 Europe/Berlin", "03:00" (the next one),
               "2026-11-29 03:00 UTC" or an ISO time such as 2026-11-29T03:00Z
  --group ID   the group it is declared in (default: the first)

${EXIT_CODES}`,
  doctor: `usage: firebell doctor [--config DIR] [--timeout SECONDS]

Connects to each IRC and Matrix network with the real secrets and reports what will fail at 03:00:
the login to services, joining each channel and room, the right to set topics, whether each
whitelisted account and each contact's handle exists. Then it disconnects. It sends no message.

  --timeout SECONDS   how long to wait for each network (default: 30)

${EXIT_CODES}`,
  migrate: `usage: firebell migrate [--config DIR]

Applies the store's pending schema migrations and exits, for operators who prefer to run them by hand
before starting new versions. firebell run does the same at start: on PostgreSQL under an advisory lock,
so instances starting together apply each migration once. A store migrated by a newer firebell is refused.

${EXIT_CODES}`,
  help: `usage: firebell help [command]

Prints the commands, or one command's help.`,
};
