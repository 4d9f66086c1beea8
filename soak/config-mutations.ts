/**
 * Mutated configurations for `firebell check`: the sample files with one or two seeded edits each (a line
 * dropped or doubled, a value replaced by a hostile one, a key misspelt, the indentation broken, the file cut
 * short, bytes that are not UTF-8, an undefined `${ENV}`), so that the loader meets what a tired human writes.
 * Pure: text in, text out.
 */
import type { Random } from './random.js';

export const CONFIG_FILES = ['config/firebell.yaml', 'config/contacts.yaml', 'whitelist.yaml'] as const;
export type ConfigFile = (typeof CONFIG_FILES)[number];

const HOSTILE_VALUES = [
  '-1',
  '0',
  "''",
  'null',
  '~',
  'true',
  '[]',
  '{}',
  '[',
  '{',
  '99999999999999999999999',
  '1e309',
  'NaN',
  '"\\0"',
  '"\\u0000\\r\\n"',
  '*anchor',
  '&a [*a]',
  '!!binary aGk=',
  '!!js/function "x"',
  'Mars/Olympus',
  '25:99-26:00',
  '${FIREBELL_SOAK_UNDEFINED}',
  '"#chan\\x01nel"',
  '"' + 'x'.repeat(5000) + '"',
  '"nick with spaces"',
  '? complex\n: key',
];

export interface Mutation {
  readonly file: ConfigFile;
  readonly description: string;
  /** The mutated file's bytes (latin1 text, so invalid UTF-8 survives). */
  readonly text: string;
}

type Edit = (lines: string[], random: Random) => string;

const EDITS: readonly (readonly [string, Edit])[] = [
  ['drop a line', (lines, r) => `line ${dropAt(lines, r.below(lines.length))}`],
  ['double a line', (lines, r) => `line ${doubleAt(lines, r.below(lines.length))}`],
  ['hostile value', (lines, r) => replaceValue(lines, r)],
  ['misspelt key', (lines, r) => misspellKey(lines, r)],
  ['broken indentation', (lines, r) => reindent(lines, r)],
  ['cut short', (lines, r) => cutShort(lines, r)],
  ['invalid UTF-8', (lines, r) => invalidUtf8(lines, r)],
  ['tab indentation', (lines, r) => tabIndent(lines, r)],
];

function dropAt(lines: string[], index: number): number {
  lines.splice(index, 1);
  return index + 1;
}

function doubleAt(lines: string[], index: number): number {
  lines.splice(index, 0, lines[index] ?? '');
  return index + 1;
}

function valueLines(lines: string[]): number[] {
  return lines.flatMap((line, index) =>
    /^\s*-?\s*[\w.]+:\s*\S/.test(line) && !/^\s*#/.test(line) ? [index] : [],
  );
}

function replaceValue(lines: string[], r: Random): string {
  const candidates = valueLines(lines);
  if (candidates.length === 0) return 'nothing to replace';
  const index = r.pick(candidates);
  const value = r.pick(HOSTILE_VALUES);
  lines[index] = (lines[index] ?? '').replace(
    /^(\s*-?\s*[\w.]+:\s*).*$/,
    (_, key: string) => `${key}${value}`,
  );
  return `line ${index + 1} value ${JSON.stringify(value.slice(0, 30))}`;
}

function misspellKey(lines: string[], r: Random): string {
  const candidates = valueLines(lines);
  if (candidates.length === 0) return 'nothing to misspell';
  const index = r.pick(candidates);
  lines[index] = (lines[index] ?? '').replace(
    /^(\s*-?\s*)([\w.]+)(:)/,
    (_, lead: string, key: string, colon: string) => {
      const cut = r.below(key.length);
      return `${lead}${key.slice(0, cut)}${key.slice(cut + 1)}${colon}`;
    },
  );
  return `line ${index + 1} key misspelt`;
}

function reindent(lines: string[], r: Random): string {
  const index = r.below(lines.length);
  lines[index] = ' '.repeat(1 + r.below(5)) + (lines[index] ?? '');
  return `line ${index + 1} indented`;
}

function tabIndent(lines: string[], r: Random): string {
  const index = r.below(lines.length);
  lines[index] = (lines[index] ?? '').replace(/^ +/, '\t');
  return `line ${index + 1} tab`;
}

function cutShort(lines: string[], r: Random): string {
  const keep = r.below(lines.length);
  const partial = (lines[keep] ?? '').slice(0, r.below((lines[keep]?.length ?? 0) + 1));
  lines.splice(keep, lines.length - keep, partial);
  return `cut at line ${keep + 1}`;
}

function invalidUtf8(lines: string[], r: Random): string {
  const index = r.below(lines.length);
  const bytes = r.pick(['\xff', '\xc3\x28', '\xe2\x82', '\xed\xa0\x80', '\xf8\x88\x80\x80\x80']);
  const line = lines[index] ?? '';
  const at = r.below(line.length + 1);
  lines[index] = line.slice(0, at) + bytes + line.slice(at);
  return `line ${index + 1} invalid UTF-8`;
}

/** One or two seeded edits to one of the sample files (given as latin1 text by file). */
export function mutate(samples: Readonly<Record<ConfigFile, string>>, random: Random): Mutation {
  const file = random.pick(CONFIG_FILES);
  const lines = samples[file].split('\n');
  const descriptions: string[] = [];
  const edits = 1 + random.below(2);
  for (let i = 0; i < edits; i++) {
    const [name, edit] = random.pick(EDITS);
    descriptions.push(`${name} (${edit(lines, random)})`);
  }
  return { file, description: descriptions.join(', '), text: lines.join('\n') };
}
