/**
 * One batch, one round trip: a batch with writes beyond the commit function's (commit-function.ts) is sent
 * as one simple-protocol query string, which cannot carry bind parameters, so each statement's `$n`
 * placeholders (the function's call among them) are replaced here by SQL literals.
 *
 * Why this is safe: strings go through the driver's own `escapeLiteral` (quotes doubled, and an `E'...'`
 * string with doubled backslashes when there is a backslash, correct whatever
 * `standard_conforming_strings` says); numbers must be finite and are written as numbers (negative ones in
 * parentheses); arrays become the quoted text of an array literal, which the statements cast
 * (`$2::bigint[]`), exactly as the driver would have sent them as parameters; anything else is refused.
 * PostgreSQL refuses NUL in text either way. The placeholders are replaced in one pass over the statement's
 * own text (constants of ours), so a value containing `$1` is never read again.
 */
import pg from 'pg';

export type SqlValue = string | number | bigint | boolean | null | undefined | readonly SqlArrayElement[];
export type SqlArrayElement = string | number | bigint | boolean | null;

export interface Statement {
  readonly sql: string;
  readonly params: readonly SqlValue[];
}

export function sqlLiteral(value: SqlValue): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'string') return pg.escapeLiteral(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value < 0n ? `(${value})` : String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`${value} cannot be stored as a number`);
    return value < 0 ? `(${value})` : String(value);
  }
  if (Array.isArray(value)) return pg.escapeLiteral(arrayLiteral(value));
  throw new TypeError(`a ${typeof value} cannot be written as an SQL literal`);
}

/** PostgreSQL's array input syntax: elements double-quoted with `"` and `\` escaped, NULL bare. */
function arrayLiteral(values: readonly SqlArrayElement[]): string {
  const element = (value: SqlArrayElement): string => {
    if (value === null) return 'NULL';
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new RangeError(`${value} cannot be stored as a number`);
    return `"${String(value).replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  };
  return `{${values.map(element).join(',')}}`;
}

/** The statement with every `$n` replaced by its parameter's literal. */
export function inlineStatement({ sql, params }: Statement): string {
  return sql.replace(/\$(\d+)/g, (_, digits: string) => {
    const index = Number(digits) - 1;
    if (index < 0 || index >= params.length)
      throw new RangeError(`$${digits} has no parameter (${params.length} given)`);
    return sqlLiteral(params[index]);
  });
}
