/**
 * What keeps secrets out of the logs, whatever shape the logged thing has. pino's own `redact` takes a list
 * of paths (`a.b.password`, `*.password`), so a secret one level deeper than the list foresaw, inside an
 * error's properties, or in a message string, would be written out. Instead every logged object, child
 * binding and message passes through a `Redactor`, which:
 *
 * - blanks the value of every key that names a secret (`password`, `accessToken`, `Authorization`,
 *   `x-api-key`, …), at any depth, in arrays and in errors (serialized as pino serializes `err`);
 * - blanks every secret value the configuration holds (what came from `${file:}`, and every value under a
 *   secret key, `${ENV}` or written inline), wherever it appears: a whole value, or inside a string;
 * - blanks the credentials any string carries in a well-known form: `Bearer …`/`Basic …`, a URL's
 *   `user:password@`, and `access_token=`/`password=` query parameters.
 *
 * An environment value in an ordinary key (a host name, a Matrix domain) is not a secret, as in the
 * config's own messages (docs/configuration.md): blanking it would blank the bot's own ids in every line.
 */
import { pino } from 'pino';
import { isSecretKey } from './config/secrets.js';

export const CENSOR = '[redacted]';

/** Shorter secrets are blanked only as whole values: inside text they would shred ordinary words. */
const MIN_SECRET_IN_TEXT = 4;
/** Deeper than this, a logged object is cut (nothing beyond is written, so nothing leaks). */
const MAX_DEPTH = 32;

const CREDENTIAL_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${CENSOR}`],
  [/(\/\/[^/\s:@]+:)[^/\s@]+@/g, `$1${CENSOR}@`],
  [/([?&;](?:access_token|token|password|secret|api_key|apikey)=)[^&\s#"']+/gi, `$1${CENSOR}`],
];

export class Redactor {
  private readonly whole: ReadonlySet<string>;
  /** Longest first, so a secret that contains another is blanked in one piece. */
  private readonly inText: readonly string[];

  constructor(secrets: Iterable<string> = []) {
    const values = [...secrets].filter((secret) => secret.length > 0);
    this.whole = new Set(values);
    this.inText = values
      .filter((secret) => secret.length >= MIN_SECRET_IN_TEXT)
      .sort((a, b) => b.length - a.length);
  }

  text(value: string): string {
    if (this.whole.has(value)) return CENSOR;
    let out = value;
    for (const secret of this.inText) if (out.includes(secret)) out = out.split(secret).join(CENSOR);
    for (const [pattern, replacement] of CREDENTIAL_PATTERNS) out = out.replace(pattern, replacement);
    return out;
  }

  /** A JSON-shaped copy of `value` with every secret blanked; errors become pino's `err` shape. */
  value(value: unknown): unknown {
    return this.walk(value, 0, new Set());
  }

  private walk(value: unknown, depth: number, path: Set<object>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (typeof value !== 'object' || value === null) return value;
    if (path.has(value)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[too deep]';
    path.add(value);
    try {
      if (value instanceof Error) return this.walk(pino.stdSerializers.err(value), depth, path);
      if (Array.isArray(value)) return value.map((item) => this.walk(item, depth + 1, path));
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return this.walk(toJSON.call(value), depth + 1, path);
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        out[key] =
          isSecretKey(key) && item !== undefined && item !== null ? CENSOR : this.walk(item, depth + 1, path);
      }
      return out;
    } finally {
      path.delete(value);
    }
  }
}
