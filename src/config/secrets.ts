/**
 * Secrets stay out of the YAML: `${NAME}` in any string value is replaced from the environment the caller
 * passes, and `${file:/run/secrets/irc}` by a file's content (trailing newline trimmed; a relative path is
 * relative to the config dir). `$${` is a literal `${`. Problems name the variable or the file, never a
 * value. The secrets found (file contents, values of secret keys) are returned so messages can be
 * scrubbed of them; an environment value in an ordinary key (a host name, a domain) is not a secret.
 */
import { isAbsolute, join } from 'node:path';
import type { KeyPath } from './problems.js';

export interface SecretSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => string;
  /** The config dir as the caller gave it; relative `${file:}` paths hang off it. */
  readonly dir: string;
  /**
   * `optional` for tools that never use a secret's value (`firebell check`, `playbook`, `simulate`): an
   * unset variable or unreadable file under a secret key (a password, a token) is a warning and the value
   * a placeholder, so a config repository's CI can run them without production secrets. Anywhere else
   * (a host, a URL) the value matters and it stays an error. Default: `required`.
   */
  readonly secrets?: 'required' | 'optional';
}

/** What an unresolved secret reads as when secrets are optional: never sent anywhere. */
export const UNSET_SECRET = '<unset secret>';

export interface SecretFinding {
  readonly path: KeyPath;
  readonly message: string;
}

export interface SubstitutionResult {
  readonly value: unknown;
  readonly findings: readonly SecretFinding[];
  /** Secrets left unresolved where that is allowed (`secrets: 'optional'`). */
  readonly warnings: readonly SecretFinding[];
  /** Every string that came from a secret file or sits under a secret key (password, accessToken...). */
  readonly secretValues: ReadonlySet<string>;
}

/**
 * Key names whose values are secrets wherever they appear (in the config, whether written inline or
 * substituted; in anything logged), compared without case, `-` or `_`: `accessToken`, `access_token`,
 * `Authorization`, `x-api-key`, `nickservPassword`, `channelKeys`, `webhookSecret`, …
 */
const SECRET_KEYS: ReadonlySet<string> = new Set([
  'password',
  'passwd',
  'passphrase',
  'token',
  'secret',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'apikey',
  'xapikey',
  'channelkeys',
  'privatekey',
  'credentials',
]);
const SECRET_KEY_ENDINGS = /(password|passwd|passphrase|secret|token|apikey)$/;

export function isSecretKey(key: string): boolean {
  const name = key.toLowerCase().replace(/[-_]/g, '');
  return SECRET_KEYS.has(name) || SECRET_KEY_ENDINGS.test(name);
}

/**
 * Values that are secrets by where they sit, though their key's name does not say so: a heartbeat URL is
 * its own credential (docs/offchat.md), and whoever knows it can keep the dead-man's switch quiet.
 */
const SECRET_VALUE_PATHS: readonly string[] = ['heartbeat.url'];

const isSecretValuePath = (path: KeyPath): boolean => SECRET_VALUE_PATHS.includes(path.join('.'));

/**
 * A URL that carries a credential (a database URL's password) but is quoted in messages with it blanked:
 * like a secret, it may be left unset where secrets are optional, which a config repository's CI needs.
 */
const CREDENTIAL_URL_PATHS: readonly string[] = ['store.url'];

/** Where an unresolved reference may stand as UNSET_SECRET when secrets are optional. */
const mayBeUnset = (path: KeyPath): boolean =>
  isSecretPath(path) || isSecretValuePath(path) || CREDENTIAL_URL_PATHS.includes(path.join('.'));

export function isSecretPath(path: KeyPath): boolean {
  return path.some((segment) => typeof segment === 'string' && isSecretKey(segment));
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPE_HINT = 'write $${ for a literal "${"';

function readError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return typeof code === 'string' ? code : 'unreadable';
  }
}

function substituteString(
  text: string,
  path: KeyPath,
  sources: SecretSources,
  problems: { findings: SecretFinding[]; warnings: SecretFinding[] },
  secretValues: Set<string>,
): string {
  const tolerated = sources.secrets === 'optional' && mayBeUnset(path);
  const { findings } = problems;
  /** An unresolved secret: a warning with a placeholder where allowed, an error otherwise. */
  const missing = (message: string): string => {
    if (!tolerated) {
      findings.push({ path, message });
      return '';
    }
    problems.warnings.push({
      path,
      message: `${message}: fine for this tool, but firebell run and doctor need it`,
    });
    return UNSET_SECRET;
  };
  return text.replace(REFERENCE, (match: string, reference: string | undefined) => {
    if (match === '$${') return '${';
    if (reference === undefined) {
      findings.push({ path, message: `"\${" is not closed by "}"; ${ESCAPE_HINT}` });
      return match;
    }
    if (reference.startsWith('file:')) {
      const given = reference.slice('file:'.length).trim();
      const file = isAbsolute(given) ? given : join(sources.dir, given);
      try {
        const content = sources.readFile(file).replace(/[\r\n]+$/, '');
        secretValues.add(content);
        return content;
      } catch (error) {
        return missing(`cannot read secret file "${file}" (${readError(error)})`);
      }
    }
    if (!ENV_NAME.test(reference)) {
      findings.push({
        path,
        message: `"\${${reference}}" is not a reference: expected \${NAME} (letters, digits and "_") or \${file:/path}; ${ESCAPE_HINT}`,
      });
      return match;
    }
    const value = sources.env[reference];
    if (value === undefined) return missing(`environment variable ${reference} is not set`);
    return value;
  });
}

export function substituteSecrets(value: unknown, sources: SecretSources): SubstitutionResult {
  const findings: SecretFinding[] = [];
  const warnings: SecretFinding[] = [];
  const secretValues = new Set<string>();
  const walk = (node: unknown, path: KeyPath): unknown => {
    if (typeof node === 'string') {
      const value = node.includes('${')
        ? substituteString(node, path, sources, { findings, warnings }, secretValues)
        : node;
      if (isSecretPath(path) || isSecretValuePath(path)) secretValues.add(value);
      return value;
    }
    if (Array.isArray(node)) return node.map((item, index) => walk(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      // fromEntries defines own properties, so a "__proto__" key stays a key.
      return Object.fromEntries(Object.entries(node).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return node;
  };
  return { value: walk(value, []), findings, warnings, secretValues };
}
