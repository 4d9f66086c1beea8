/**
 * Turns zod's issues into messages a person fixing a YAML file can act on: what was expected, what was
 * found (the value quoted, unless it is a secret), and for an unknown key the key it was probably meant
 * to be. Messages the schema itself words (regexes, refinements) are kept, with the value appended.
 */
import type { z } from 'zod';
import { closest, plural, type KeyPath } from './problems.js';
import { isSecretPath } from './secrets.js';

export interface IssueFinding {
  readonly path: KeyPath;
  readonly message: string;
}

/** Returned by the per-parse error map, so that zod's own wording can be told apart from the schema's. */
export const ZOD_DEFAULT_MESSAGE = '\u0000zod-default';

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  null: 'nothing',
};

const FORMATS: Record<string, string> = {
  email: 'an e-mail address',
  url: 'a URL',
};

export function valueAt(data: unknown, path: KeyPath): unknown {
  let node = data;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

function describe(value: unknown, secret: boolean): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (secret) return typeof value === 'string' ? 'a string' : `a ${typeof value}`;
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

// ---------------------------------------------------------------- allowed keys, from the schema itself

interface SchemaLike {
  readonly _zod: { readonly def: SchemaDef };
}
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, SchemaLike>;
  readonly innerType?: SchemaLike;
  readonly in?: SchemaLike;
  readonly element?: SchemaLike;
  readonly valueType?: SchemaLike;
  readonly options?: readonly SchemaLike[];
}

function unwrap(schema: SchemaLike): SchemaLike {
  let current = schema;
  for (;;) {
    const def = current._zod.def;
    const inner = def.innerType ?? (def.type === 'pipe' ? def.in : undefined);
    if (!inner) return current;
    current = inner;
  }
}

/** The keys a strict object at `path` accepts, found by walking the schema along the path. */
function allowedKeysAt(schema: SchemaLike, path: KeyPath): string[] | undefined {
  const node = unwrap(schema);
  const def = node._zod.def;
  if (def.type === 'union')
    for (const option of def.options ?? []) {
      const keys = allowedKeysAt(option, path);
      if (keys) return keys;
    }
  const [head, ...rest] = path;
  if (head === undefined) return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
  const child =
    def.type === 'object'
      ? def.shape?.[String(head)]
      : def.type === 'array'
        ? def.element
        : def.type === 'record'
          ? def.valueType
          : undefined;
  return child ? allowedKeysAt(child, rest) : undefined;
}

// ---------------------------------------------------------------- messages

/** "at least 1", "greater than 0", "at most 20", "less than 5". */
function bound(issue: { minimum?: unknown; maximum?: unknown; inclusive?: boolean }, low: boolean): string {
  const limit = String(low ? issue.minimum : issue.maximum);
  if (low) return issue.inclusive ? `at least ${limit}` : `greater than ${limit}`;
  return issue.inclusive ? `at most ${limit}` : `less than ${limit}`;
}

function defaultMessage(issue: z.core.$ZodIssue, value: unknown, secret: boolean, path: KeyPath): string {
  const got = `got ${describe(value, secret)}`;
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined && path.length === 0) return 'the file is empty: expected a mapping';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, ${got}`;
    case 'too_small':
    case 'too_big': {
      const low = issue.code === 'too_small';
      const limit = bound(issue, low);
      if (issue.origin === 'array' && Array.isArray(value))
        return `expected a list of ${limit} items, got ${plural(value.length, 'item')}`;
      if (issue.origin === 'string') return `expected ${limit} characters, ${got}`;
      return `expected a number ${issue.inclusive ? 'of ' : ''}${limit}, ${got}`;
    }
    case 'invalid_value': {
      const options = issue.values.map((option) => JSON.stringify(option));
      return `expected ${options.length === 1 ? options[0] : `one of ${options.join(', ')}`}, ${got}`;
    }
    case 'invalid_format':
      return `expected ${FORMATS[issue.format] ?? `a ${issue.format}`}, ${got}`;
    case 'invalid_key': {
      // The key is what is wrong here, and keys are never secret.
      const key = `got ${JSON.stringify(String(path[path.length - 1]))}`;
      const inner = issue.issues[0]?.message;
      return `invalid key: ${inner && inner !== ZOD_DEFAULT_MESSAGE ? withFound(inner, key) : key}`;
    }
    case 'invalid_union':
      return `does not match any of the allowed forms, ${got}`;
    default:
      return `invalid value, ${got}`;
  }
}

function withFound(message: string, got: string): string {
  return message.startsWith('expected ') && !message.includes(', got ') ? `${message}, ${got}` : message;
}

export function translateIssues(
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  schema: z.ZodType,
  secretValues: ReadonlySet<string>,
): IssueFinding[] {
  const findings: IssueFinding[] = [];
  for (const issue of issues) {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(schema as unknown as SchemaLike, path) ?? [];
      for (const key of issue.keys) {
        const suggestion = closest(key, allowed);
        const hint =
          suggestion !== undefined ? `did you mean "${suggestion}"?` : `allowed: ${allowed.join(', ')}`;
        findings.push({ path: [...path, key], message: `unknown key "${key}" (${hint})` });
      }
      continue;
    }
    const value = valueAt(data, path);
    const secret = isSecretPath(path) || (typeof value === 'string' && secretValues.has(value));
    const missing = issue.code === 'invalid_type' && value === undefined && path.length > 0;
    const message = missing
      ? 'required key is missing'
      : issue.message === ZOD_DEFAULT_MESSAGE
        ? defaultMessage(issue, value, secret, path)
        : withFound(issue.message, `got ${describe(value, secret)}`);
    findings.push({ path, message });
  }
  return findings;
}
