/**
 * The one place configuration is read: config/firebell.yaml, then the contacts and whitelist files it
 * names. Every problem in all three files is reported at once, each with file, line, column and key path,
 * so `firebell check` in a config repo's CI lists everything a change broke. Nothing here reads
 * `process.env`: the composition root passes the environment.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { z } from 'zod';
import { assembleConfig } from './assemble.js';
import type { Config } from './config.js';
import { checkAckLinks } from './ack-link-checks.js';
import { checkFirebell } from './firebell-checks.js';
import { checkInlineSecrets } from './inline-secrets.js';
import { checkPeople } from './people-checks.js';
import { formatPath, type ConfigProblem, type KeyPath } from './problems.js';
import { isDependency, record, text, type CheckFinding, type DocName } from './raw.js';
import {
  contactsFileSchema,
  firebellFileSchema,
  whitelistFileSchema,
  type ContactsFile,
  type FirebellFile,
  type WhitelistFile,
} from './schema.js';
import { substituteSecrets } from './secrets.js';
import { parseYaml, type Position, type YamlDocument } from './yaml-source.js';
import { translateIssues, ZOD_DEFAULT_MESSAGE } from './zod-issues.js';

export { formatProblem, type ConfigProblem } from './problems.js';

export interface LoadOptions {
  /** The config directory, as the user gave it; file names in messages are built from it. */
  readonly dir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** `optional` for tools that never use a secret's value (see secrets.ts). Default: `required`. */
  readonly secrets?: 'required' | 'optional';
  /** Reads a file as UTF-8 (config files and `${file:}` secrets); tests pass an in-memory one. */
  readonly readFile?: FileReader;
}

export type FileReader = (path: string) => string;

export type LoadResult =
  | {
      readonly ok: true;
      readonly config: Config;
      readonly warnings: ConfigProblem[];
      /** The secret values the config holds (from `${file:}`, or under a secret key): for the logger to blank. */
      readonly secrets: ReadonlySet<string>;
      /** Where a key is in one of the files, for messages about the loaded config. */
      readonly locate: (doc: DocName, path: KeyPath) => ConfigProblem;
    }
  | { readonly ok: false; readonly problems: ConfigProblem[]; readonly warnings: ConfigProblem[] };

const DOCS: readonly DocName[] = ['firebell', 'contacts', 'whitelist'];
const SCHEMAS: Record<DocName, z.ZodType> = {
  firebell: firebellFileSchema,
  contacts: contactsFileSchema,
  whitelist: whitelistFileSchema,
};
/** Redacting very short strings would shred messages; short secrets are still never quoted (zod-issues). */
const MIN_REDACTED_LENGTH = 4;
/**
 * Credentials a quoted URL carries (a mistyped `store.url: ${DATABASE_URL}`): its `user:password@` and a
 * `password=` parameter, as the logs blank them (log-redaction.ts). The URL is no secret key's value.
 */
const URL_CREDENTIALS: readonly [RegExp, string][] = [
  [/(\/\/[^/\s:@"]+:)[^/\s@"]+@/g, '$1<secret>@'],
  [/([?&;](?:access_token|token|password|secret|api_key|apikey)=)[^&\s#"']+/gi, '$1<secret>'],
];

interface LoadedDoc {
  readonly file: string;
  /** The text as read, for hints that need the line as written. */
  readonly source?: string;
  readonly document?: YamlDocument;
  /** After secret substitution; undefined when the file could not be read or parsed. */
  readonly raw?: unknown;
  readonly parsed?: unknown;
  /** Paths whose `${...}` could not be resolved. */
  readonly unresolved?: ReadonlySet<string>;
}

interface Finding {
  readonly doc: DocName;
  readonly path: KeyPath;
  readonly message: string;
  readonly position?: Position | undefined;
  readonly severity: 'error' | 'warning';
}

function readError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 'ENOENT') return 'cannot read the file: it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'cannot read the file: permission denied';
  if (code === 'EISDIR') return 'cannot read the file: it is a directory';
  return `cannot read the file (${typeof code === 'string' ? code : 'unknown error'})`;
}

function relativeTo(dir: string, path: string): string {
  return isAbsolute(path) ? path : join(dir, path);
}

interface Reading {
  readonly loaded: LoadedDoc;
  readonly findings: readonly Finding[];
  readonly secretValues: ReadonlySet<string>;
}

/** Where a file's name was given: the key in firebell.yaml that named it, as written. */
interface NamedBy {
  readonly path: KeyPath;
  readonly value: string;
}

/**
 * Reads and parses one file and resolves its `${...}` references. A file that cannot be read is reported
 * against the key that named it (`files.contacts` in firebell.yaml), where the mistake is, when one did.
 */
function readDocument(
  doc: DocName,
  file: string,
  options: LoadOptions,
  readFile: FileReader,
  namedBy?: NamedBy,
): Reading {
  const none = new Set<string>();
  let source: string;
  try {
    source = readFile(file);
  } catch (error) {
    const finding: Finding = namedBy
      ? {
          doc: 'firebell',
          path: namedBy.path,
          message: `"${namedBy.value}" (${file}): ${readError(error)}`,
          severity: 'error',
        }
      : { doc, path: [], message: readError(error), severity: 'error' };
    return { loaded: { file }, findings: [finding], secretValues: none };
  }
  const parsed = parseYaml(source, file);
  const findings: Finding[] = parsed.findings.map((finding) => ({ doc, severity: 'error', ...finding }));
  if (!parsed.ok) return { loaded: { file }, findings, secretValues: none };
  const document = parsed.document;
  const substituted = substituteSecrets(document.value, {
    env: options.env,
    readFile,
    dir: options.dir,
    secrets: options.secrets ?? 'required',
  });
  for (const finding of substituted.findings) findings.push({ doc, severity: 'error', ...finding });
  for (const warning of substituted.warnings) findings.push({ doc, severity: 'warning', ...warning });
  const unresolved = new Set(substituted.findings.map(({ path }) => formatPath(path)));
  return {
    loaded: { file, source, document, raw: substituted.value, unresolved },
    findings,
    secretValues: substituted.secretValues,
  };
}

/** Validates one read document against its schema. */
function validate(doc: DocName, loaded: LoadedDoc, secretValues: ReadonlySet<string>): Reading {
  if (loaded.document === undefined) return { loaded, findings: [], secretValues };
  const result = SCHEMAS[doc].safeParse(loaded.raw, { reportInput: true, error: () => ZOD_DEFAULT_MESSAGE });
  if (result.success) return { loaded: { ...loaded, parsed: result.data }, findings: [], secretValues };
  const findings: Finding[] = translateIssues(result.error.issues, loaded.raw, SCHEMAS[doc], secretValues)
    // A value whose ${...} could not be resolved was already reported; "must not be empty" would be noise.
    .filter((finding) => !loaded.unresolved?.has(formatPath(finding.path)))
    .map((finding) => ({ doc, severity: 'error', ...finding }));
  return { loaded, findings, secretValues };
}

export function loadConfig(options: LoadOptions): LoadResult {
  const readFile = options.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const findings: Finding[] = [];
  const secretValues = new Set<string>();
  const docs = {} as Record<DocName, LoadedDoc>;
  const read = (doc: DocName, file: string, namedBy?: NamedBy): void => {
    const reading = readDocument(doc, file, options, readFile, namedBy);
    docs[doc] = reading.loaded;
    findings.push(...reading.findings);
    for (const value of reading.secretValues) secretValues.add(value);
  };

  read('firebell', join(options.dir, 'firebell.yaml'));
  // The other files' names come from firebell.yaml even when it has other mistakes.
  const files = record(record(docs.firebell.raw).files);
  for (const [doc, fallback] of [
    ['contacts', 'contacts.yaml'],
    ['whitelist', '../whitelist.yaml'],
  ] as const) {
    const given = text(files[doc]);
    const namedBy = given === undefined ? undefined : { path: ['files', doc], value: given };
    read(doc, relativeTo(options.dir, given ?? fallback), namedBy);
  }
  for (const doc of DOCS) {
    const validated = validate(doc, docs[doc], secretValues);
    docs[doc] = validated.loaded;
    findings.push(...validated.findings, ...checkInlineSecrets(doc, docs[doc].document?.value));
  }

  const lineOf = (doc: DocName, path: KeyPath): number | undefined => docs[doc].document?.locate(path)?.line;
  const raw = { firebell: docs.firebell.raw, contacts: docs.contacts.raw, whitelist: docs.whitelist.raw };
  // A check whose inputs already have an error is left out: one mistake, one message.
  const errors = findings.filter((finding) => finding.severity === 'error');
  const consequence = (check: CheckFinding): boolean =>
    check.dependsOn?.some((dependency) =>
      errors.some((error) => isDependency(dependency, error.doc, error.path)),
    ) ?? false;
  findings.push(
    ...[
      ...checkFirebell(raw.firebell, lineOf),
      ...checkAckLinks(raw.firebell),
      ...checkPeople(raw, lineOf),
    ].filter((check) => !consequence(check)),
  );

  const located = sortProblems(
    findings.map((finding) => {
      const position = finding.position ?? docs[finding.doc].document?.locate(finding.path);
      const problem: ConfigProblem = {
        file: docs[finding.doc].file,
        ...(position ? { line: position.line, column: position.column } : {}),
        path: formatPath(finding.path),
        message: redact(
          withCommentHint(finding.message, docs[finding.doc].source, position?.line),
          secretValues,
        ),
      };
      return { finding, problem };
    }),
  );
  const bySeverity = (severity: Finding['severity']): ConfigProblem[] =>
    located.filter(({ finding }) => finding.severity === severity).map(({ problem }) => problem);
  const problems = bySeverity('error');
  const warnings = bySeverity('warning');
  if (problems.length > 0) return { ok: false, problems, warnings };

  const config = assembleConfig({
    firebell: docs.firebell.parsed as FirebellFile,
    contacts: docs.contacts.parsed as ContactsFile,
    whitelist: docs.whitelist.parsed as WhitelistFile,
    files: {
      firebell: resolve(docs.firebell.file),
      contacts: resolve(docs.contacts.file),
      whitelist: resolve(docs.whitelist.file),
    },
    configDir: resolve(options.dir),
  });
  const locate = (doc: DocName, path: KeyPath): ConfigProblem => {
    const position = docs[doc].document?.locate(path);
    return {
      file: docs[doc].file,
      ...(position ? { line: position.line, column: position.column } : {}),
      path: formatPath(path),
      message: '',
    };
  };
  return { ok: true, config, warnings, secrets: secretValues, locate };
}

/** File order first (firebell, contacts, whitelist), then line and column; a problem without a line leads. */
function sortProblems<T extends { finding: Finding; problem: ConfigProblem }>(located: readonly T[]): T[] {
  return [...located].sort(
    (a, b) =>
      DOCS.indexOf(a.finding.doc) - DOCS.indexOf(b.finding.doc) ||
      (a.problem.line ?? 0) - (b.problem.line ?? 0) ||
      (a.problem.column ?? 0) - (b.problem.column ?? 0),
  );
}

function redact(message: string, secrets: ReadonlySet<string>): string {
  let out = message;
  for (const secret of secrets)
    if (secret.length >= MIN_REDACTED_LENGTH) out = out.split(secret).join('<secret>');
  for (const [pattern, replacement] of URL_CREDENTIALS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * `channel: #opendev` is `channel:` with no value and a comment: YAML starts a comment at an unquoted `#`.
 * When a value reads as empty and its line has such a comment, say so.
 */
function withCommentHint(message: string, source: string | undefined, line: number | undefined): string {
  if (!message.endsWith('got an empty value') || source === undefined || line === undefined) return message;
  const written = /^\s*(?:-\s+)?[^\s:#][^:#]*:\s+(#\S*)/.exec(source.split(/\r?\n/)[line - 1] ?? '');
  if (!written?.[1]) return message;
  return `${message}: in YAML an unquoted # starts a comment, so quote it: '${written[1]}'`;
}
