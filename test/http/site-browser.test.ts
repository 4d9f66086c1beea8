/**
 * The status site in a real browser (Debian's chromium, headless), loaded from the real listener: the front
 * page and an incident page at a phone's width and a desktop's, with and without JavaScript, in light and
 * dark. No console errors (the CSP lets the site's own script run and nothing else), nothing wider than
 * the screen, and the open incident on the first screen. Screenshots go to test-artifacts/.
 */
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { coreWorld, stopWorlds, type CoreWorld } from '../support/core-world.js';
import { ircUser } from '../support/fake-network.js';
import type { HttpServer } from '../../src/http/server.js';
import { startSite } from './site-server.js';

const ARTIFACTS = join(fileURLToPath(new URL('../../../', import.meta.url)), 'test-artifacts');
const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

let browser: Browser;
let w: CoreWorld;
let server: HttpServer;
let base: string;

before(async () => {
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
  w = await coreWorld();
  const alice = ircUser('alice', 'alice');
  const ana = ircUser('ana', 'ana');
  // A history long enough to push things down the page, and one very long unbroken word.
  for (let index = 1; index <= 12; index += 1) {
    w.irc.type('#infra', alice, `!incident old trouble ${index} ${'x'.repeat(index === 3 ? 300 : 5)}`);
    await w.at(index * 2 - 1);
    w.irc.type('#infra', ana, `!resolved ${index} fixed`);
    await w.at(index * 2);
  }
  w.irc.type('#infra', ana, '#status alert PyPI mirror problems causing gate failures. Please stand by...');
  w.irc.type('#infra', alice, '!incident PyPI mirror errors are failing gate jobs');
  await w.at(30);
  server = await startSite(w, {
    publicUrl: 'http://127.0.0.1/',
    playbookHtml: '<!doctype html><title>Play book</title>',
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await browser?.close();
  await server?.close();
  await stopWorlds();
});

for (const viewport of VIEWPORTS)
  for (const javaScript of [true, false])
    test(`${viewport.name}, JavaScript ${javaScript ? 'on' : 'off'}: no errors, no overflow, the open incident on the first screen`, async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({
          viewport: { width: viewport.width, height: viewport.height },
          javaScriptEnabled: javaScript,
          colorScheme,
        });
        const errors: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        page.on('pageerror', (error) => errors.push(error.message));
        for (const path of ['/', '/incidents/13']) {
          const response = await page.goto(`${base}${path}`, { waitUntil: 'load' });
          assert.equal(response?.status(), 200, path);
          const layout = await page.evaluate(() => ({
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
            background: getComputedStyle(document.body).backgroundColor,
          }));
          assert.ok(
            layout.scrollWidth <= layout.clientWidth,
            `${path}: ${layout.scrollWidth} px wide in ${layout.clientWidth}`,
          );
          assert.equal(layout.background, colorScheme === 'dark' ? 'rgb(20, 20, 20)' : 'rgb(255, 255, 255)');
          if (path === '/') {
            const open = page.locator('a[href="incidents/13"]').first();
            const box = await open.boundingBox();
            assert.ok(
              box && box.y + box.height <= viewport.height,
              `the open incident is on the first screen (${box?.y})`,
            );
            assert.equal(await page.locator('section.alert').count(), 1);
          }
          const localTimes = await page.locator('time[title]').count();
          assert.equal(localTimes > 0, javaScript, 'the local time is added by the script, and only by it');
          await page.screenshot({
            path: join(
              ARTIFACTS,
              `site-${path === '/' ? 'front' : 'incident'}-${viewport.name}-${colorScheme}${javaScript ? '' : '-nojs'}.png`,
            ),
            fullPage: false,
          });
        }
        assert.deepEqual(errors, [], 'no console errors');
        await page.close();
      }
    });
