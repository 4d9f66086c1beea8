#!/usr/bin/env node
// Small rooms: a source file under src/ or machines/ over 400 lines must say why, in a comment that
// starts "Why this file is long:". Run by `npm run lint`; exits 1 naming each file that does not.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const LIMIT = 400;
const MARKER = /^\s*(\/\/|\/?\*+)\s*Why this file is long:\s*\S/m;
const root = process.argv[2] ?? '.';

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const offenders = [];
for (const top of ['src', 'machines']) {
  for (const file of sources(join(root, top))) {
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > LIMIT && !MARKER.test(text)) offenders.push(`${relative(root, file)}: ${lines} lines`);
  }
}
if (offenders.length > 0) {
  console.error(
    `files over ${LIMIT} lines without a comment "Why this file is long: ...":\n  ${offenders.join('\n  ')}\n` +
      'split them where a split is natural, or say why they are one piece',
  );
  process.exit(1);
}
console.log(`file sizes: every file over ${LIMIT} lines says why`);
