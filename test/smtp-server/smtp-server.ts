/**
 * A real SMTP server for the tests: Debian's python3-aiosmtpd, run with /usr/bin/python3 (the python3 on
 * PATH may be another interpreter without it) and the handler beside this file, which stores each message
 * in a directory, refuses everything (550), or answers the first message too late.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../servers/server-process.js';

const PYTHON = '/usr/bin/python3';
/** Compiled to dist/test/smtp-server/; the handler stays in the source tree. */
const HANDLER_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../../test/smtp-server');

export type SmtpMode = 'accept' | 'refuse' | 'slow-once' | 'unknown-user';

export function requireAiosmtpd(): void {
  const probe = spawnSync(PYTHON, ['-c', 'import aiosmtpd'], { stdio: 'ignore' });
  if (probe.status !== 0)
    throw new Error("the SMTP tests need Debian's python3-aiosmtpd (apt-get install python3-aiosmtpd)");
}

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export class SmtpServer {
  private process: ChildProcess | undefined;
  private readonly dir = mkdtempSync(join(tmpdir(), 'firebell-smtp-'));
  port = 0;

  constructor(private readonly mode: SmtpMode = 'accept') {}

  async start(): Promise<number> {
    requireAiosmtpd();
    this.port = await freePort();
    let stderr = '';
    this.process = spawn(
      PYTHON,
      [
        '-m',
        'aiosmtpd',
        '-n',
        '-l',
        `127.0.0.1:${this.port}`,
        '-c',
        'firebell_smtp_handler.Recording',
        this.dir,
        this.mode,
      ],
      { env: { ...process.env, PYTHONPATH: HANDLER_DIR }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.process.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    for (let waited = 0; waited < 10_000; waited += 50) {
      if (this.process.exitCode !== null) throw new Error(`aiosmtpd exited: ${stderr.trim()}`);
      if (await accepts(this.port)) return this.port;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`aiosmtpd did not listen within 10 s: ${stderr.trim()}`);
  }

  /** The messages received so far, raw (with an X-Envelope-To line first). */
  messages(): string[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.eml'))
      .sort()
      .map((name) => readFileSync(join(this.dir, name), 'utf8'));
  }

  async stop(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A header's value (unfolded) from a raw message. */
export function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const line = unfolded
    .split(/\r?\n/)
    .find((candidate) => candidate.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** The decoded body of the part with this content type (quoted-printable, base64 or 7bit). */
export function partOf(raw: string, contentType: string): string | undefined {
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(raw)?.[1];
  const parts = boundary === undefined ? [raw] : raw.split(`--${boundary}`);
  const part = parts.find((candidate) => new RegExp(`Content-Type: ${contentType}`, 'i').test(candidate));
  if (part === undefined) return undefined;
  const [head = '', ...rest] = part.split(/\r?\n\r?\n/);
  const body = rest.join('\n\n').replace(/\r\n/g, '\n');
  if (/Content-Transfer-Encoding: base64/i.test(head))
    return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/Content-Transfer-Encoding: quoted-printable/i.test(head))
    return Buffer.from(
      body
        .replace(/=\r?\n/g, '')
        .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      'latin1',
    ).toString('utf8');
  return body.trimEnd();
}
