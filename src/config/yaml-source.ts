/**
 * Reads one YAML file into a plain value plus a map from key paths to line and column, so that every
 * later message (schema, secrets, cross checks) can point at the line that is wrong. js-yaml's AST carries
 * no positions, so the map is built from its event stream, which references the source by offset.
 * Duplicate keys are reported (all of them, with both lines) instead of stopping at the first.
 */
import {
  CORE_SCHEMA,
  EVENT_ID,
  SCALAR_STYLE,
  YAMLException,
  constructFromEvents,
  getScalarValue,
  parseEvents,
  type Event,
} from 'js-yaml';
import type { KeyPath } from './problems.js';
import { errorMessage } from '../core/error-message.js';

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in characters. */
  readonly column: number;
}

export interface YamlFinding {
  readonly path: KeyPath;
  readonly position?: Position;
  readonly message: string;
}

export interface YamlDocument {
  /** The document's value; `undefined` for an empty file. */
  readonly value: unknown;
  /**
   * Where the entry at `path` begins: its key inside a mapping, the item inside a sequence. For a path
   * that does not exist (a missing key), the nearest ancestor that does.
   */
  locate(path: KeyPath): Position | undefined;
}

export type YamlParseResult =
  | { readonly ok: true; readonly document: YamlDocument; readonly findings: readonly YamlFinding[] }
  | { readonly ok: false; readonly findings: readonly YamlFinding[] };

type LocNode =
  | { readonly kind: 'leaf'; readonly at: number }
  | { readonly kind: 'sequence'; readonly at: number; readonly items: LocNode[] }
  | {
      readonly kind: 'mapping';
      readonly at: number;
      readonly entries: Map<string, { readonly keyAt: number; readonly value: LocNode }>;
    };

interface Frame {
  readonly node: Extract<LocNode, { kind: 'sequence' | 'mapping' }>;
  pendingKey: { readonly text: string; readonly at: number } | undefined;
}

/** The first offset of a node's text, counting its anchor, tag and opening quote. */
function startOf(event: Event, start: number): number {
  const candidates = [start];
  if ('anchorStart' in event && event.anchorStart >= 0) candidates.push(event.anchorStart);
  if ('tagStart' in event && event.tagStart >= 0) candidates.push(event.tagStart);
  return Math.min(...candidates);
}

function lineStarts(source: string): number[] {
  const starts = [0];
  for (let index = source.indexOf('\n'); index >= 0; index = source.indexOf('\n', index + 1))
    starts.push(index + 1);
  return starts;
}

function positionOf(starts: readonly number[], offset: number): Position {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((starts[middle] ?? 0) <= offset) low = middle;
    else high = middle - 1;
  }
  return { line: low + 1, column: offset - (starts[low] ?? 0) + 1 };
}

/** Builds the location tree and reports duplicate keys. */
function locateEvents(
  source: string,
  events: readonly Event[],
  position: (offset: number) => Position,
): { root: LocNode | undefined; duplicates: YamlFinding[] } {
  const stack: Frame[] = [];
  const paths: (string | number)[][] = [];
  const duplicates: YamlFinding[] = [];
  let root: LocNode | undefined;

  const currentPath = (): (string | number)[] => paths[paths.length - 1] ?? [];
  const attach = (node: LocNode, keyText: string): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      root ??= node;
      return;
    }
    if (top.node.kind === 'sequence') {
      top.node.items.push(node);
      return;
    }
    if (top.pendingKey === undefined) {
      top.pendingKey = { text: keyText, at: node.at };
      return;
    }
    const key = top.pendingKey;
    top.pendingKey = undefined;
    const earlier = top.node.entries.get(key.text);
    if (earlier) {
      const first = position(earlier.keyAt);
      duplicates.push({
        path: [...currentPath(), key.text],
        position: position(key.at),
        message: `duplicate key "${key.text}" (first defined on line ${first.line})`,
      });
    }
    // The constructed value keeps the last duplicate, so the locations do too.
    top.node.entries.set(key.text, { keyAt: key.at, value: node });
  };
  // The path of the child about to open: the pending key in a mapping, the next index in a sequence.
  const childPath = (): (string | number)[] => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    if (top.node.kind === 'sequence') return [...currentPath(), top.node.items.length];
    return top.pendingKey === undefined ? currentPath() : [...currentPath(), top.pendingKey.text];
  };

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.SCALAR: {
        const quoted =
          event.style === SCALAR_STYLE.SINGLE_QUOTED || event.style === SCALAR_STYLE.DOUBLE_QUOTED;
        const at = startOf(event, quoted ? event.valueStart - 1 : event.valueStart);
        attach({ kind: 'leaf', at }, getScalarValue(source, event));
        break;
      }
      case EVENT_ID.ALIAS:
        attach(
          { kind: 'leaf', at: event.anchorStart - 1 },
          `*${source.slice(event.anchorStart, event.anchorEnd)}`,
        );
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const at = startOf(event, event.start);
        const node: Frame['node'] =
          event.type === EVENT_ID.SEQUENCE
            ? { kind: 'sequence', at, items: [] }
            : { kind: 'mapping', at, entries: new Map() };
        paths.push(childPath());
        stack.push({ node, pendingKey: undefined });
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        if (frame) {
          paths.pop();
          attach(frame.node, '[complex key]');
        }
        break;
      }
      default:
        break;
    }
  }
  return { root, duplicates };
}

function locator(root: LocNode | undefined, position: (offset: number) => Position) {
  return (path: KeyPath): Position | undefined => {
    if (!root) return undefined;
    let node: LocNode = root;
    let at = root.at;
    for (const segment of path) {
      if (node.kind === 'mapping') {
        const entry = node.entries.get(String(segment));
        if (!entry) break;
        at = entry.keyAt;
        node = entry.value;
      } else if (node.kind === 'sequence' && typeof segment === 'number') {
        const item = node.items[segment];
        if (!item) break;
        at = item.at;
        node = item;
      } else break;
    }
    return position(at);
  };
}

export function parseYaml(source: string, filename: string): YamlParseResult {
  const starts = lineStarts(source);
  const position = (offset: number): Position => positionOf(starts, offset);
  let events: Event[];
  try {
    events = parseEvents(source, { filename });
  } catch (error) {
    return { ok: false, findings: [syntaxFinding(error)] };
  }
  const documents = events.filter((event) => event.type === EVENT_ID.DOCUMENT).length;
  if (documents > 1)
    return {
      ok: false,
      findings: [
        { path: [], message: `expected one YAML document, found ${documents} (remove the "---" separators)` },
      ],
    };
  const { root, duplicates } = locateEvents(source, events, position);
  let value: unknown;
  try {
    // json: true lets a duplicate key override instead of throwing at the first; they are reported above.
    value = constructFromEvents(events, { source, filename, schema: CORE_SCHEMA, json: true })[0];
  } catch (error) {
    return { ok: false, findings: [...duplicates, syntaxFinding(error)] };
  }
  const locate = locator(root, position);
  const cycle = cyclePath(value, [], new Set());
  if (cycle) {
    const at = locate(cycle);
    // An alias inside its own anchor (`&a [*a]`) builds a value that contains itself: every later walk
    // (secrets, schema) would recurse until the stack overflows, so it is refused here, with its line.
    const message = 'a YAML alias refers to the node that contains it: a configuration cannot be recursive';
    return {
      ok: false,
      findings: [...duplicates, { path: cycle, message, ...(at ? { position: at } : {}) }],
    };
  }
  return { ok: true, document: { value, locate }, findings: duplicates };
}

/** The path of the first node that contains one of its own ancestors, if any. */
function cyclePath(value: unknown, path: KeyPath, ancestors: Set<object>): KeyPath | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (ancestors.has(value)) return path;
  ancestors.add(value);
  const entries: [string | number, unknown][] = Array.isArray(value)
    ? value.map((item, index): [number, unknown] => [index, item])
    : Object.entries(value);
  for (const [key, child] of entries) {
    const found = cyclePath(child, [...path, key], ancestors);
    if (found) return found;
  }
  ancestors.delete(value);
  return undefined;
}

function syntaxFinding(error: unknown): YamlFinding {
  if (error instanceof YAMLException) {
    const mark = error.mark;
    return {
      path: [],
      message: `invalid YAML: ${error.reason}`,
      ...(mark ? { position: { line: mark.line + 1, column: mark.column + 1 } } : {}),
    };
  }
  return { path: [], message: `invalid YAML: ${errorMessage(error)}` };
}
