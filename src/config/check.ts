/**
 * `firebell check`: load the configuration exactly as `firebell run` does and say what is wrong, every
 * problem on its own line, or summarise what was found. The CLI prints the lines and exits 1 unless ok.
 */
import type { Config } from './config.js';
import { loadConfig, type LoadOptions, type LoadResult } from './load.js';
import { formatProblem, plural } from './problems.js';

export interface CheckResult {
  readonly ok: boolean;
  /** Problems and warnings (for stderr), then, when ok, the one-line summary (for stdout) last. */
  readonly lines: string[];
}

/** `config OK: 6 contacts (2 tiers), 4 whitelisted, 1 group, 1 policy`. */
export function summarize(config: Config): string {
  const tiers = new Set(
    config.contacts.flatMap((contact) => (contact.tier === undefined ? [] : [contact.tier])),
  );
  return (
    `config OK: ${plural(config.contacts.length, 'contact')} (${plural(tiers.size, 'tier')}), ` +
    `${config.whitelist.length} whitelisted, ${plural(config.groups.length, 'group')}, ` +
    `${plural(Object.keys(config.policies).length, 'policy', 'policies')}`
  );
}

/**
 * Validates as `firebell run` would, except that secrets need not be set (a config repository's CI has
 * none): an unset one under a secret key is a warning.
 */
export function checkConfig(options: LoadOptions): CheckResult {
  const result = loadConfig({ secrets: 'optional', ...options });
  const warnings = result.warnings.map((warning) => formatProblem(warning, 'warning'));
  if (!result.ok)
    return { ok: false, lines: [...result.problems.map((problem) => formatProblem(problem)), ...warnings] };
  const shell = shellWarning(result);
  return { ok: true, lines: [...warnings, ...(shell ? [shell] : []), summarize(result.config)] };
}

/** The shell network reads a terminal; production has none (see networks/shell/shell-start.ts). */
function shellWarning(result: Extract<LoadResult, { ok: true }>): string | undefined {
  if (!result.config.networks.shell?.enabled) return undefined;
  const others = result.config.networks.irc.length + result.config.networks.matrix.length;
  const consequence =
    others > 0
      ? 'without one (systemd, a container) firebell turns it off and runs on IRC and Matrix'
      : 'without one (systemd, a container) firebell refuses to start, since the shell is its only network';
  return formatProblem(
    {
      ...result.locate('firebell', ['networks', 'shell', 'enabled']),
      message: `the shell network is on: it reads the terminal firebell runs in, and ${consequence}. Set enabled: false for production`,
    },
    'warning',
  );
}
