/**
 * The play book in a real browser (headless chromium) at a phone's width and a desktop's (issue 13, item
 * 4): the first screen says what to do now, no table is wider than the screen (they reflow or scroll
 * inside themselves), dark mode follows the system, and nothing needs JavaScript. Screenshots are kept in
 * test-artifacts/ (not committed) for a person to look at.
 */
// The functions given to page.evaluate run in the browser: they need the DOM's types.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/config.js';
import { renderPlaybook } from '../../src/playbook/render.js';
import { PLAYBOOK_GENERATED_AT, playbookConfig } from '../fixtures/playbook-config.js';
import { launchChromium } from '../support/browser.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ARTIFACTS = join(ROOT, 'test-artifacts');
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

function sampleConfig(): Config {
  const result = loadConfig({ dir: join(ROOT, 'config'), env: {} });
  if (!result.ok) throw new Error('the sample configuration does not load');
  return result.config;
}

const CONFIGS: ReadonlyArray<{ name: string; config: () => Config }> = [
  { name: 'sample', config: sampleConfig },
  { name: 'team', config: playbookConfig },
];

let browser: Browser;
before(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
});
after(() => browser?.close());

async function open(
  html: string,
  viewport: (typeof VIEWPORTS)[number],
  colorScheme: 'light' | 'dark' = 'light',
): Promise<Page> {
  const page = await browser.newPage({
    viewport: { width: viewport.width, height: viewport.height },
    javaScriptEnabled: false,
    colorScheme,
  });
  await page.setContent(html, { waitUntil: 'load' });
  return page;
}

for (const { name, config } of CONFIGS) {
  for (const viewport of VIEWPORTS) {
    test(`${name} play book at ${viewport.width}×${viewport.height}: what to do now on the first screen, no table wider than the screen`, async () => {
      const html = renderPlaybook(config(), { format: 'html', generatedAt: PLAYBOOK_GENERATED_AT });
      assert.equal(html.includes('<script'), false, 'nothing needs JavaScript');
      const page = await open(html, viewport);
      try {
        await page.screenshot({
          path: join(ARTIFACTS, `playbook-${name}-${viewport.width}x${viewport.height}.png`),
        });
        // The whole page once, on a phone, to look at the reflowed tables; full-page shots are costly.
        if (name === 'team' && viewport.name === 'phone')
          await page.screenshot({ path: join(ARTIFACTS, 'playbook-team-390x844-full.png'), fullPage: true });
        const firstScreen = await page.evaluate(() => {
          const section = document.querySelector('#right-now');
          const heading = section?.querySelector('h2');
          const steps = section?.querySelectorAll('ol > li');
          const where = [...(section?.querySelectorAll('p') ?? [])].find((p) =>
            p.textContent?.startsWith('Where'),
          );
          const box = (element: Element | null | undefined) => element?.getBoundingClientRect();
          return {
            heading: heading?.textContent,
            headingTop: box(heading)?.top,
            lastStepBottom: box(steps?.[steps.length - 1])?.bottom,
            whereTop: box(where)?.top,
            steps: steps?.length,
            height: innerHeight,
          };
        });
        assert.equal(firstScreen.heading, 'Something is broken? Do this now');
        assert.equal(firstScreen.steps, 3);
        assert.ok(
          (firstScreen.headingTop ?? Infinity) < 150,
          `the section starts at ${firstScreen.headingTop}px`,
        );
        assert.ok(
          (firstScreen.lastStepBottom ?? Infinity) <= firstScreen.height,
          `the three steps end at ${firstScreen.lastStepBottom}px, within the first ${firstScreen.height}px`,
        );
        assert.ok(
          (firstScreen.whereTop ?? Infinity) < firstScreen.height,
          `where to go starts on the first screen (${firstScreen.whereTop}px)`,
        );

        const overflow = await page.evaluate(() => ({
          page: document.documentElement.scrollWidth,
          width: innerWidth,
          tables: [...document.querySelectorAll('table')].map((table) => {
            const box = (table.closest('.scroll') ?? table).getBoundingClientRect();
            return { left: box.left, right: box.right, className: table.className };
          }),
        }));
        assert.ok(overflow.tables.length >= 6, 'the tables are there');
        for (const table of overflow.tables)
          assert.ok(
            table.left >= 0 && table.right <= overflow.width + 0.5,
            `a ${table.className} table reaches ${table.right}px of ${overflow.width}px`,
          );
        assert.ok(
          overflow.page <= overflow.width,
          `the page is ${overflow.page}px wide on a ${overflow.width}px screen`,
        );

        const now = await page.evaluate(() =>
          [...document.querySelectorAll('td.now')].map((cell) => cell.textContent),
        );
        assert.equal(now.length, 1, 'one coverage cell is marked now');
        assert.match(now[0] ?? '', /^now · /);
      } finally {
        await page.close();
      }
    });
  }
}

test('dark mode follows prefers-color-scheme, with no script', async () => {
  const html = renderPlaybook(playbookConfig(), { format: 'html', generatedAt: PLAYBOOK_GENERATED_AT });
  const colours = async (scheme: 'light' | 'dark'): Promise<string> => {
    const page = await open(html, VIEWPORTS[0], scheme);
    try {
      if (scheme === 'dark')
        await page.screenshot({ path: join(ARTIFACTS, 'playbook-team-390x844-dark.png') });
      return await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    } finally {
      await page.close();
    }
  };
  assert.equal(await colours('light'), 'rgb(255, 255, 255)');
  assert.equal(await colours('dark'), 'rgb(20, 20, 20)');
});

test('on a phone a contact is a card with labelled fields; on a desktop a table row', async () => {
  const html = renderPlaybook(playbookConfig(), { format: 'html', generatedAt: PLAYBOOK_GENERATED_AT });
  const layout = async (viewport: (typeof VIEWPORTS)[number]) => {
    const page = await open(html, viewport);
    try {
      return await page.evaluate(() => {
        const cell = document.querySelector('#contacts td[data-label="How to reach"]');
        return {
          display: cell ? getComputedStyle(cell).display : '',
          label: cell ? getComputedStyle(cell, '::before').content : '',
        };
      });
    } finally {
      await page.close();
    }
  };
  assert.deepEqual(await layout(VIEWPORTS[0]), { display: 'block', label: '"How to reach"' });
  assert.equal((await layout(VIEWPORTS[1])).display, 'table-cell');
});
