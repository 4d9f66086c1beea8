import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml, type YamlDocument } from '../../src/config/yaml-source.js';

function parsed(source: string): YamlDocument {
  const result = parseYaml(source, 'test.yaml');
  assert.equal(result.ok, true);
  assert.deepEqual(result.findings, []);
  if (!result.ok) throw new Error('unreachable');
  return result.document;
}

const SOURCE = `# a comment
top:
  list:
    - plain
    - 'quoted'
    - key: value
      other: 2
  flow: {a: 1, b: [x, "y"]}
  anchored: &base
    inner: true
  alias: *base
`;

test('every path maps to where its entry begins: the key in a mapping, the item in a sequence', () => {
  const document = parsed(SOURCE);
  const cases: [(string | number)[], number, number][] = [
    [[], 2, 1],
    [['top'], 2, 1],
    [['top', 'list'], 3, 3],
    [['top', 'list', 0], 4, 7],
    [['top', 'list', 1], 5, 7],
    [['top', 'list', 2], 6, 7],
    [['top', 'list', 2, 'other'], 7, 7],
    [['top', 'flow', 'b'], 8, 16],
    [['top', 'flow', 'b', 1], 8, 23],
    [['top', 'anchored'], 9, 3],
    [['top', 'anchored', 'inner'], 10, 5],
    [['top', 'alias'], 11, 3],
  ];
  for (const [path, line, column] of cases)
    assert.deepEqual(document.locate(path), { line, column }, `path ${JSON.stringify(path)}`);
});

test('a path that does not exist maps to its nearest existing ancestor', () => {
  const document = parsed(SOURCE);
  assert.deepEqual(document.locate(['top', 'list', 2, 'missing']), { line: 6, column: 7 });
  assert.deepEqual(document.locate(['top', 'list', 9]), { line: 3, column: 3 });
  assert.deepEqual(document.locate(['top', 'alias', 'inner']), { line: 11, column: 3 });
});

test('the value is built with YAML 1.2 core types, aliases resolved', () => {
  assert.deepEqual(parsed(SOURCE).value, {
    top: {
      list: ['plain', 'quoted', { key: 'value', other: 2 }],
      flow: { a: 1, b: ['x', 'y'] },
      anchored: { inner: true },
      alias: { inner: true },
    },
  });
  // YAML 1.1 booleans and sexagesimal numbers stay strings.
  assert.deepEqual(parsed('a: yes\nb: 09:00\nc: on\n').value, { a: 'yes', b: '09:00', c: 'on' });
});

test('lines are counted the same with CRLF line endings', () => {
  const document = parsed('a:\r\n  b: 1\r\n  c: 2\r\n');
  assert.deepEqual(document.locate(['a', 'c']), { line: 3, column: 3 });
});

test('every duplicate key is reported with both lines, and the last value wins', () => {
  const result = parseYaml('a: 1\nb:\n  c: 1\n  c: 2\na: 3\n', 'test.yaml');
  assert.equal(result.ok, true);
  assert.deepEqual(result.findings, [
    {
      path: ['b', 'c'],
      position: { line: 4, column: 3 },
      message: 'duplicate key "c" (first defined on line 3)',
    },
    { path: ['a'], position: { line: 5, column: 1 }, message: 'duplicate key "a" (first defined on line 1)' },
  ]);
  if (result.ok) assert.deepEqual(result.document.value, { a: 3, b: { c: 2 } });
});

test('a syntax error gives the position and reason from js-yaml', () => {
  assert.deepEqual(parseYaml('a:\n  - x\n  y: 1\n', 'test.yaml'), {
    ok: false,
    findings: [
      {
        path: [],
        position: { line: 3, column: 3 },
        message: 'invalid YAML: bad indentation of a mapping entry',
      },
    ],
  });
  assert.deepEqual(parseYaml('a: "open\n', 'test.yaml').ok, false);
});

test('an empty file is an empty document', () => {
  const result = parseYaml('# only a comment\n', 'test.yaml');
  assert.equal(result.ok, true);
  if (result.ok) {
    assert.equal(result.document.value, undefined);
    assert.equal(result.document.locate([]), undefined);
  }
});

test('an alias inside its own anchor (a cycle) is refused with its line, instead of overflowing the stack', () => {
  const result = parseYaml('incidents:\n  permissions:\n    declare: &a [*a]\n', 'firebell.yaml');
  assert.equal(result.ok, false);
  assert.deepEqual(
    result.findings.map((finding) => [finding.path, finding.position?.line, finding.message]),
    [
      [
        ['incidents', 'permissions', 'declare', 0],
        3,
        'a YAML alias refers to the node that contains it: a configuration cannot be recursive',
      ],
    ],
  );
  const shared = parseYaml('a: &x [1]\nb: *x\n', 'firebell.yaml');
  assert.equal(shared.ok, true, 'an alias used twice, without a cycle, stays valid');
});
