/** What `firebell doctor` found, one line per check, and how it is printed. */

/** `fail`: it will not work at 03:00. `warn`: it may not, or could not be checked. */
export type Verdict = 'ok' | 'warn' | 'fail';

export interface Finding {
  readonly verdict: Verdict;
  /** What was checked: "join #opendev", "services login". */
  readonly what: string;
  /** What was found, in words an operator can act on. */
  readonly detail: string;
}

export interface NetworkReport {
  /** "IRC oftc (irc.oftc.net:6697, TLS)". */
  readonly title: string;
  readonly findings: readonly Finding[];
}

export const ok = (what: string, detail: string): Finding => ({ verdict: 'ok', what, detail });
export const warn = (what: string, detail: string): Finding => ({ verdict: 'warn', what, detail });
export const fail = (what: string, detail: string): Finding => ({ verdict: 'fail', what, detail });

const LABELS: Record<Verdict, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

export function renderNetworkReport(report: NetworkReport): string[] {
  return [
    `${report.title}:`,
    ...report.findings.map((finding) => `  ${LABELS[finding.verdict]}  ${finding.what}: ${finding.detail}`),
  ];
}

export function summarizeReports(reports: readonly NetworkReport[]): string {
  const all = reports.flatMap((report) => report.findings);
  const failures = all.filter((finding) => finding.verdict === 'fail').length;
  const warnings = all.filter((finding) => finding.verdict === 'warn').length;
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`;
  if (failures === 0)
    return `doctor: nothing found that will fail at 03:00 (${plural(all.length, 'check')}, ${plural(warnings, 'warning')}).`;
  return `doctor: ${plural(failures, 'problem')} will fail at 03:00, ${plural(warnings, 'warning')} (${plural(all.length, 'check')}); fix the FAIL lines.`;
}
