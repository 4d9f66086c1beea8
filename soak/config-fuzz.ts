/**
 * Mutated configurations through the real `firebell check`, one process each with a deadline. Each must be
 * accepted (exit 0, "config OK") or refused (exit 1, every problem line naming the file and its line, and the
 * key when the file parsed); never a stack trace, never another exit code, never a hang.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_FILES, mutate, type ConfigFile } from './config-mutations.js';
import type { Random } from './random.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(REPO, 'dist', 'src', 'cli.js');

export interface CheckRun {
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

export type Verdict =
  | { readonly ok: true; readonly outcome: 'accepted' | 'refused' }
  | { readonly ok: false; readonly why: string };

// A problem line: `<path>.yaml[:<line>[:<col>]]: <what>` (no line for a whole-file problem such as an empty file).
const PROBLEM = /^\S*\.yaml(?::\d+(?::\d+)?)?: \S/;
const STACK_FRAME = /^\s+at .+[(:]\d+/m;

/** Pure judgement of one `firebell check` run. */
export function judge(run: CheckRun): Verdict {
  if (run.timedOut) return { ok: false, why: 'hang: no exit before the deadline' };
  if (STACK_FRAME.test(run.stderr) || STACK_FRAME.test(run.stdout)) return { ok: false, why: 'stack trace' };
  if (run.status === 0) {
    return /^config OK/m.test(run.stdout)
      ? { ok: true, outcome: 'accepted' }
      : { ok: false, why: `exit 0 without "config OK": ${run.stdout.slice(0, 200)}` };
  }
  if (run.status !== 1) return { ok: false, why: `exit ${String(run.status)} signal ${String(run.signal)}` };
  const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return { ok: false, why: 'refused with nothing on stderr' };
  const unnamed = lines.find((line) => !PROBLEM.test(line) && !/^warning:|^\s/.test(line));
  if (unnamed !== undefined)
    return { ok: false, why: `problem without file and line: ${unnamed.slice(0, 200)}` };
  return { ok: true, outcome: 'refused' };
}

export function runCheck(configDir: string, timeoutMs: number): Promise<CheckRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'check', '--config', configDir], {
      env: { PATH: process.env['PATH'] ?? '', FIREBELL_TEST_IRC_PASSWORD: 'x' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout, stderr, timedOut });
    });
  });
}

export interface ConfigFuzzResult {
  readonly runs: number;
  readonly accepted: number;
  readonly refused: number;
  readonly failures: readonly { readonly mutation: string; readonly why: string }[];
}

/** `count` mutated configurations, each checked by a fresh `firebell check` within `timeoutMs`. */
export async function fuzzConfigs(
  random: Random,
  count: number,
  timeoutMs: number,
  progress: (line: string) => void = () => undefined,
): Promise<ConfigFuzzResult> {
  const samples = Object.fromEntries(
    CONFIG_FILES.map((file) => [file, readFileSync(join(REPO, file), 'latin1')]),
  ) as Record<ConfigFile, string>;
  const root = mkdtempSync(join(tmpdir(), 'firebell-soak-config-'));
  let accepted = 0;
  let refused = 0;
  const failures: { mutation: string; why: string }[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const mutation = mutate(samples, random);
      const dir = join(root, String(i));
      cpSync(join(REPO, 'config'), join(dir, 'config'), { recursive: true });
      cpSync(join(REPO, 'whitelist.yaml'), join(dir, 'whitelist.yaml'));
      writeFileSync(join(dir, mutation.file), Buffer.from(mutation.text, 'latin1'));
      const verdict = judge(await runCheck(join(dir, 'config'), timeoutMs));
      if (verdict.ok && verdict.outcome === 'accepted') accepted++;
      else if (verdict.ok) refused++;
      else {
        failures.push({ mutation: `#${i} ${mutation.file}: ${mutation.description}`, why: verdict.why });
        progress(`configuration #${i} broke a promise: ${verdict.why}`);
      }
      if ((i + 1) % 25 === 0)
        progress(`configurations: ${i + 1} of ${count}, ${failures.length} broke a promise`);
      rmSync(dir, { recursive: true, force: true });
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return { runs: count, accepted, refused, failures };
}
