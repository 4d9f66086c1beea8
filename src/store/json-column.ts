/** JSON kept in TEXT columns: a value that cannot be stored fails with a message naming what it was. */
import { errorMessage } from '../core/error-message.js';

export function toJsonColumn(value: unknown, what: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (error) {
    throw new TypeError(`${what} cannot be stored as JSON: ${errorMessage(error)}`, { cause: error });
  }
  // JSON.stringify returns undefined (not a string) for undefined, functions and symbols.
  if (text === undefined) throw new TypeError(`${what} cannot be stored as JSON: it is ${typeof value}`);
  return text;
}

export type Parsed =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

export function parseJsonColumn(text: string): Parsed {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, error: errorMessage(error) };
  }
}
