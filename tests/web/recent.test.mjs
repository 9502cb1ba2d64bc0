// Rooms you came from (issue 25, feature 4): the join view lists the rooms
// this browser joined, with language and name, newest first, stored only in
// localStorage; one click rejoins; "Forget" removes one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinByForm, openPage, PHONE, PHONE_OPTIONS, screenshot, TEST_MS, useServerAndBrowser,
  waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const rooms = (page) => page.locator('#recent-rooms .recent-room').evaluateAll(
  (items) => items.map((li) => li.dataset.room),
);

if (browserAvailable('recent')) {
  describe('rooms you came from', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('listed newest first with language and name; one click rejoins; Forget removes one', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await openPage(page, env.server.url);
      assert.equal(await page.locator('#recent-rooms').isVisible(), false, 'nothing yet: no list');

      await joinByForm(page, env.server.url, { room: 'first-room', lang: 'es', name: 'Ana' });
      await page.click('#settings-toggle').catch(() => {});
      await page.click('#leave-button');
      await joinByForm(page, env.server.url, { room: 'second-room', lang: 'en', name: 'Ann' });
      await page.click('#leave-button');

      await page.locator('#recent-rooms').waitFor();
      assert.deepEqual(await rooms(page), ['second-room', 'first-room']);
      const first = page.locator('#recent-rooms [data-room="first-room"]');
      assert.match(await first.locator('.recent-rejoin').textContent(), /^first-room Español \(es\), as Ana$/);
      assert.equal(await first.locator('.recent-forget').getAttribute('aria-label'), 'Forget the room first-room');
      // Only in this browser: nothing about it went anywhere but localStorage.
      const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('honyaku.recent')));
      assert.deepEqual(stored.map((entry) => [entry.room, entry.lang, entry.name]),
        [['second-room', 'en', 'Ann'], ['first-room', 'es', 'Ana']]);

      // One click: back in, as that name, in that language.
      await first.locator('.recent-rejoin').click();
      await waitOnline(page);
      assert.equal(await page.textContent('#room-name'), 'first-room');
      assert.match(await page.textContent('#me-name'), /Ana/);
      assert.equal(await page.getAttribute('html', 'lang'), 'es');
      await page.click('#leave-button');
      await page.locator('#recent-rooms').waitFor();
      assert.deepEqual(await rooms(page), ['first-room', 'second-room'], 'the rejoined room moved to the top');

      // Forget: gone from the list and from storage, also after a reload.
      await page.locator('#recent-rooms [data-room="second-room"] .recent-forget').click();
      assert.deepEqual(await rooms(page), ['first-room']);
      await page.reload();
      await page.locator('html:not(.loading)').waitFor({ state: 'attached' });
      assert.deepEqual(await rooms(page), ['first-room']);
      await page.locator('#recent-rooms [data-room="first-room"] .recent-forget').click();
      assert.equal(await page.locator('#recent-rooms').isVisible(), false);
      await page.locator('#name').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'name', 'focus goes back to the form');
      assertNoProblems(env.pages);
    });

    test('phone, ar: the list fits the screen, right to left, names isolated', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
      await joinByForm(page, env.server.url, { room: 'a-very-long-room-name-from-yesterday', lang: 'ar', name: 'ليلى' });
      await page.click('#settings-toggle');
      await page.click('#leave-button');
      const item = page.locator('#recent-rooms .recent-room');
      await item.waitFor();
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      assert.equal(await page.textContent('#recent-title'), 'غرف زرتها');
      assert.equal(await item.locator('bdi').last().textContent(), 'ليلى');
      const box = await item.boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width + 0.5, `inside the phone's width (${JSON.stringify(box)})`);
      const forget = await item.locator('.recent-forget').boundingBox();
      const rejoin = await item.locator('.recent-rejoin').boundingBox();
      assert.ok(forget.x < rejoin.x, 'right to left: Forget sits at the end, on the left');
      await screenshot(page, 'recent-phone-ar.png');
      assertNoProblems(env.pages);
    });
  });
}
