/**
 * A small valid configuration held in memory, which each test breaks in one place. The YAML sits in the
 * test files themselves so the line numbers the assertions name can be read off beside them.
 */
import assert from 'node:assert/strict';
import { formatProblem, loadConfig, type FileReader, type LoadResult } from '../../src/config/load.js';

export const DIR = 'cfg';

export const FIREBELL = `bot:
  admin: ops@example.org
  playbookUrl: https://example.org/playbook
store:
  path: ../data/firebell.sqlite
networks:
  shell: {}
groups:
  - id: ops
    members:
      - network: shell
        channel: '#ops'
escalation:
  defaultPolicy: default
  policies:
    default:
      tiers:
        - tier: 1
          afterMinutes: 5
`;

export const CONTACTS = `contacts:
  - id: alice
    name: Alice Example
    irc:
      account: alice
    matrix: '@alice:example.org'
    timezone: Europe/Berlin
    hours:
      mon-fri: '09:00-17:00'
    tier: 1
`;

export const WHITELIST = `whitelist:
  - contact: alice
`;

export interface Files {
  readonly firebell?: string;
  readonly contacts?: string;
  readonly whitelist?: string;
  /** More files by path, e.g. secrets for `${file:}`. */
  readonly extra?: Readonly<Record<string, string>>;
}

/** A FileReader over a map of paths; a missing path fails as the file system would. */
export function memoryReader(
  files: Readonly<Record<string, string>>,
): FileReader & { readonly reads: string[] } {
  const reads: string[] = [];
  const reader = (path: string): string => {
    reads.push(path);
    const content = files[path];
    if (content === undefined)
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
    return content;
  };
  return Object.assign(reader, { reads });
}

export function load(files: Files = {}, env: Record<string, string> = {}): LoadResult {
  const readFile = memoryReader({
    'cfg/firebell.yaml': files.firebell ?? FIREBELL,
    'cfg/contacts.yaml': files.contacts ?? CONTACTS,
    'whitelist.yaml': files.whitelist ?? WHITELIST,
    ...files.extra,
  });
  return loadConfig({ dir: DIR, env, readFile });
}

/** The formatted problems of a configuration that must fail to load. */
export function problems(files: Files, env: Record<string, string> = {}): string[] {
  const result = load(files, env);
  assert.equal(result.ok, false, 'expected the configuration to be rejected');
  if (result.ok) return [];
  return result.problems.map((problem) => formatProblem(problem));
}
