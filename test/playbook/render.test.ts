import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/config.js';
import { renderPlaybook } from '../../src/playbook/render.js';
import { PLAYBOOK_GENERATED_AT, playbookConfig, playbookContacts } from '../fixtures/playbook-config.js';

// Compiled to dist/test/playbook/; the golden files stay in the source tree.
const GOLDEN_DIR = fileURLToPath(new URL('../../../test/fixtures/playbook/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function checkGolden(name: string, rendered: string): void {
  const path = `${GOLDEN_DIR}${name}`;
  if (UPDATE) {
    mkdirSync(GOLDEN_DIR, { recursive: true });
    writeFileSync(path, rendered);
    return;
  }
  assert.ok(existsSync(path), `${path} is missing: run the tests with UPDATE_GOLDEN=1 to create it`);
  assert.equal(
    rendered,
    readFileSync(path, 'utf8'),
    `${name} differs; if the change is intended, UPDATE_GOLDEN=1`,
  );
}

const markdown = (config: Config): string =>
  renderPlaybook(config, { format: 'markdown', generatedAt: PLAYBOOK_GENERATED_AT });
const html = (config: Config): string =>
  renderPlaybook(config, { format: 'html', generatedAt: PLAYBOOK_GENERATED_AT });

test('golden: the play book of the fixture team, in Markdown', () => {
  checkGolden('playbook.md', markdown(playbookConfig()));
});

test('golden: the play book of the fixture team, in HTML', () => {
  checkGolden('playbook.html', html(playbookConfig()));
});

test('the golden comparison fails on a one-character difference', () => {
  const rendered = markdown({ ...playbookConfig(), bot: { ...playbookConfig().bot, name: 'firebelL' } });
  assert.throws(() => assert.equal(rendered, readFileSync(`${GOLDEN_DIR}playbook.md`, 'utf8')));
});

test('rendering is a pure function of the config and the time', () => {
  assert.equal(markdown(playbookConfig()), markdown(playbookConfig()));
  const nextWeek = renderPlaybook(playbookConfig(), {
    format: 'markdown',
    generatedAt: PLAYBOOK_GENERATED_AT + 7 * 86_400_000,
  });
  assert.match(nextWeek, /the week of Mon 2025-04-07 to Sun 2025-04-13 \(UTC\)/);
  // Adelaide has left daylight saving: Ian starts at 22:30 UTC, not 22:00.
  assert.match(nextWeek, /\| Ian \| 1 \|.*\| Sun–Thu 23:00–07:30 \(ends next day\) \|/);
});

const hostile = '<script>alert(1)</script>';

function hostileConfig(): Config {
  const base = playbookConfig(
    playbookContacts.map((contact) => (contact.id === 'fungi' ? { ...contact, name: hostile } : contact)),
  );
  return {
    ...base,
    bot: { ...base.bot, admin: 'Bob <b onmouseover="x">ops</b> & co', playbookUrl: 'javascript:alert(1)' },
    roles: [{ id: 'infra-root', name: 'Root | *power*', description: '<img src=x onerror=alert(1)>' }],
    whitelist: [...base.whitelist, { name: 'O\'Brien "the" <i>', irc: { account: 'obrien' } }],
  };
}

test('HTML escapes everything from the config and links only to safe URLs', () => {
  const page = html(hostileConfig());
  assert.equal(page.includes('<script'), false, 'no script element');
  assert.equal(page.includes('<img'), false);
  assert.equal(page.includes('<b onmouseover'), false);
  assert.equal(page.includes('<i>'), false);
  assert.equal(page.includes('href="javascript:'), false, 'no javascript: link');
  assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), 'the name is shown, escaped');
  assert.ok(page.includes('Bob &lt;b onmouseover=&quot;x&quot;&gt;ops&lt;/b&gt; &amp; co'));
  assert.ok(page.includes('O&#39;Brien &quot;the&quot; &lt;i&gt;'));
});

test('HTML is self-contained: no scripts, no external stylesheets, images or fonts', () => {
  const page = html(playbookConfig());
  for (const forbidden of ['<script', '<link', ' src=', '@import', 'url(', '<iframe']) {
    assert.equal(page.includes(forbidden), false, forbidden);
  }
  assert.match(page, /^<!DOCTYPE html>\n<html lang="en">/);
  assert.match(page, /<style>\n[^<]+\n<\/style>/);
});

test('Markdown escapes names so they never become HTML or markup', () => {
  const page = markdown(hostileConfig());
  // A backslash-escaped "<" is literal text in CommonMark; an unescaped one would open an HTML tag.
  assert.doesNotMatch(page, /(^|[^\\])<(script|img)/m);
  assert.ok(page.includes('\\<script\\>alert(1)\\</script\\>'));
  assert.ok(page.includes('Root \\| \\*power\\*'), 'a pipe cannot break the table, stars make no emphasis');
  assert.doesNotMatch(page, /(<|\]\()javascript:/, 'no javascript: link');
  assert.ok(page.includes('Published at javascript:alert(1).'), 'shown as text instead');
});

test('golden: the play book of the sample configuration, in Markdown and HTML', async () => {
  const { loadConfig } = await import('../../src/config/load.js');
  const sample = loadConfig({ dir: fileURLToPath(new URL('../../../config/', import.meta.url)), env: {} });
  assert.ok(sample.ok, 'the sample configuration loads');
  if (!sample.ok) return;
  checkGolden(
    'sample.md',
    renderPlaybook(sample.config, { format: 'markdown', generatedAt: PLAYBOOK_GENERATED_AT }),
  );
  checkGolden(
    'sample.html',
    renderPlaybook(sample.config, { format: 'html', generatedAt: PLAYBOOK_GENERATED_AT }),
  );
});
