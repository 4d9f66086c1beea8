/**
 * `firebell check`: load the configuration exactly as `firebell run` does and say what is wrong, every
 * problem on its own line, or summarise what was found. The CLI prints the lines and exits 1 unless ok.
 */
import type { Config } from './config.js';
import { loadConfig, type LoadOptions } from './load.js';
import { formatProblem, plural } from './problems.js';

export interface CheckResult {
  readonly ok: boolean;
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

export function checkConfig(options: LoadOptions): CheckResult {
  const result = loadConfig(options);
  const warnings = result.warnings.map((warning) => formatProblem(warning, 'warning'));
  if (!result.ok)
    return { ok: false, lines: [...result.problems.map((problem) => formatProblem(problem)), ...warnings] };
  return { ok: true, lines: [...warnings, summarize(result.config)] };
}
