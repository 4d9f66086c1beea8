/**
 * Starts a compiled benchmark helper (a sibling `.js` file) in a process of its own and waits for the
 * first line it prints (its "ready", or a JSON description of what it started); stderr passes through.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface BenchChild {
  /** The first line it printed. */
  readonly ready: string;
  stop(): void;
}

export async function startChild(script: string, args: readonly string[]): Promise<BenchChild> {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  const ready = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const end = output.indexOf('\n');
      if (end >= 0) resolve(output.slice(0, end));
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${String(code)}) before it was ready`)));
  });
  return { ready, stop: () => void child.kill('SIGKILL') };
}
