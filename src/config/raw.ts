/**
 * Defensive reads of the YAML documents before (or despite) schema validation, so the cross checks can
 * run on a file that also has schema errors and `firebell check` reports everything in one pass. Anything
 * malformed reads as absent; the schema reports it.
 */
import { formatPath, type KeyPath } from './problems.js';

export type DocName = 'firebell' | 'contacts' | 'whitelist';

export interface RawDocs {
  /** A document is undefined when its file could not be read or parsed. */
  readonly firebell: unknown;
  readonly contacts: unknown;
  readonly whitelist: unknown;
}

export interface CheckFinding {
  readonly doc: DocName;
  readonly path: KeyPath;
  readonly message: string;
  readonly severity: 'error' | 'warning';
  /**
   * The values this check reads (`*` matches any key or index). When one of them already has an error (a
   * typo in a key, a value of the wrong type), the check is not reported: one mistake gets one message,
   * not a cascade of consequences.
   */
  readonly dependsOn?: readonly Dependency[];
}

export interface Dependency {
  readonly doc: DocName;
  readonly path: KeyPath;
}

/** Whether an error at `path` in `doc` is one of the values `dependency` names. */
export function isDependency(dependency: Dependency, doc: DocName, path: KeyPath): boolean {
  return (
    dependency.doc === doc &&
    dependency.path.length === path.length &&
    dependency.path.every((segment, index) => segment === '*' || segment === path[index])
  );
}

/** The line of a path in one of the documents, for messages that point at a second place. */
export type LineOf = (doc: DocName, path: KeyPath) => number | undefined;

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

export function items(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function integer(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** A string field of each item of a list, with the item's path. */
export function field(
  list: unknown,
  listPath: KeyPath,
  key: string,
): {
  readonly value: string;
  readonly path: KeyPath;
  readonly index: number;
  readonly item: Record<string, unknown>;
}[] {
  return items(list).flatMap((item, index) => {
    const value = text(record(item)[key]);
    return value === undefined ? [] : [{ value, path: [...listPath, index], index, item: record(item) }];
  });
}

/**
 * One finding per value that repeats an earlier one, pointing back at the first. `normalize` folds
 * what counts as the same (IRC names are case-insensitive).
 */
export function duplicates(
  doc: DocName,
  entries: readonly { readonly value: string; readonly path: KeyPath }[],
  what: string,
  lineOf: LineOf,
  normalize: (value: string) => string = (value) => value,
): CheckFinding[] {
  const first = new Map<string, KeyPath>();
  const findings: CheckFinding[] = [];
  for (const entry of entries) {
    const key = normalize(entry.value);
    const earlier = first.get(key);
    if (earlier === undefined) {
      first.set(key, entry.path);
      continue;
    }
    const line = lineOf(doc, earlier);
    findings.push({
      doc,
      path: entry.path,
      severity: 'error',
      message: `duplicate ${what} "${entry.value}" (first used by ${describePath(earlier)}${line === undefined ? '' : ` on line ${line}`})`,
    });
  }
  return findings;
}

/** The list item a path points into: `contacts[0].irc.account` → `contacts[0]`. */
function describePath(path: KeyPath): string {
  const lastIndex = path.findLastIndex((segment) => typeof segment === 'number');
  return formatPath(lastIndex < 0 ? path : path.slice(0, lastIndex + 1));
}

export { ircFold } from '../core/casemapping.js';
