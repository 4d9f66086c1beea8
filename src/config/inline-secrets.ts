/**
 * Secrets come from the environment or a file, never from the config repository: a password, token or key
 * written into the YAML is an error at its line, naming the key and how to write it instead. The check
 * reads the files as written (before `${...}` is replaced), so only a reference proves the value came from
 * outside. No message quotes the value.
 */
import type { KeyPath } from './problems.js';
import { record, type CheckFinding, type DocName } from './raw.js';

/**
 * How much of a value must come from outside: `all` of it (a password), `some` of it (a heartbeat URL,
 * whose secret is one part of its path and which firebell cannot tell apart), or the `password` part of a
 * URL (a database URL may carry none, when the server trusts the host or a `.pgpass`).
 */
type Rule = 'all' | 'some' | 'password';

interface SecretKey {
  /** `*` matches any key or index. */
  readonly path: readonly (string | number)[];
  readonly rule: Rule;
  /** The variable the message suggests, as the sample config names it. */
  readonly example: string;
}

/** Every key whose value is a secret, by file. A key added to the schema that holds one belongs here. */
export const SECRET_KEYS: Readonly<Record<DocName, readonly SecretKey[]>> = {
  firebell: [
    { path: ['networks', 'irc', '*', 'password'], rule: 'all', example: 'IRC_SERVER_PASSWORD' },
    { path: ['networks', 'irc', '*', 'sasl', 'password'], rule: 'all', example: 'IRC_SASL_PASSWORD' },
    { path: ['networks', 'irc', '*', 'nickservPassword'], rule: 'all', example: 'IRC_NICKSERV_PASSWORD' },
    { path: ['networks', 'irc', '*', 'channelKeys', '*'], rule: 'all', example: 'IRC_CHANNEL_KEY' },
    { path: ['networks', 'matrix', '*', 'accessToken'], rule: 'all', example: 'MATRIX_ACCESS_TOKEN' },
    { path: ['networks', 'matrix', '*', 'password'], rule: 'all', example: 'MATRIX_PASSWORD' },
    { path: ['intake', 'sources', '*', 'token'], rule: 'all', example: 'FIREBELL_INTAKE_TOKEN' },
    { path: ['email', 'password'], rule: 'all', example: 'SMTP_PASSWORD' },
    { path: ['ackLinks', 'secret'], rule: 'all', example: 'FIREBELL_ACK_SECRET' },
    { path: ['heartbeat', 'url'], rule: 'some', example: 'HEARTBEAT_URL' },
    { path: ['store', 'url'], rule: 'password', example: 'DATABASE_URL' },
  ],
  contacts: [{ path: ['contacts', '*', 'ntfy', 'token'], rule: 'all', example: 'NTFY_TOKEN' }],
  whitelist: [],
};

/** `$${` is a literal `${`, not a reference: taken out first, what is left of it is literal text. */
const ESCAPED = /\$\$\{/g;
const REFERENCE = /\$\{[^}]+\}/;
const REFERENCES = new RegExp(REFERENCE.source, 'g');
/** A URL's `user:password@` and a `password=` parameter (libpq's), as written. */
const URL_PASSWORD = [/\/\/[^/?#@]*:([^/?#@]*)@/, /[?&]password=([^&#]*)/i];

/** Whether the value as written keeps (part of) the secret in the file. */
function writtenInline(value: string, rule: Rule): boolean {
  const unescaped = value.replace(ESCAPED, '');
  const literal = unescaped.replace(REFERENCES, '');
  switch (rule) {
    case 'all':
      return literal.trim() !== '';
    case 'some':
      return !REFERENCE.test(unescaped);
    case 'password':
      return URL_PASSWORD.some((pattern) => (pattern.exec(literal)?.[1] ?? '') !== '');
  }
}

/**
 * The scalar values at `pattern` in a document as written, with their paths, as text: a number written
 * as a password (`password: 12345678`) is as much in the file as a string.
 */
function valuesAt(node: unknown, pattern: SecretKey['path'], path: KeyPath = []): [KeyPath, string][] {
  if (pattern.length === 0)
    return typeof node === 'string' || typeof node === 'number' ? [[path, String(node)]] : [];
  const [head, ...rest] = pattern;
  if (Array.isArray(node))
    return node.flatMap((item, index) =>
      head === '*' || head === index ? valuesAt(item, rest, [...path, index]) : [],
    );
  return Object.entries(record(node)).flatMap(([key, item]) =>
    head === '*' || head === key ? valuesAt(item, rest, [...path, key]) : [],
  );
}

function message(key: SecretKey): string {
  const file = key.example.toLowerCase().replace(/_/g, '-');
  const what =
    key.rule === 'password'
      ? 'the URL has its password written in the file'
      : key.rule === 'some'
        ? 'the URL is written in the file, and it is its own credential'
        : 'the secret is written in the file';
  return (
    `${what}: give it from the environment or a file, such as \${${key.example}} or ` +
    `\${file:/run/secrets/${file}}, so the config repository never holds it`
  );
}

/** `written` is one document as written, before `${...}` was replaced. */
export function checkInlineSecrets(doc: DocName, written: unknown): CheckFinding[] {
  return SECRET_KEYS[doc].flatMap((key) =>
    valuesAt(written, key.path)
      .filter(([, value]) => writtenInline(value, key.rule))
      .map(([path]): CheckFinding => ({ doc, path, severity: 'error', message: message(key) })),
  );
}
