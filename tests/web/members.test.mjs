// The member list in a big room (issue 13, page item 4; protocol v1.1
// `count` and paging) and on a phone (item 10): the room's size comes from
// `count`, more pages load on demand, and the strip says that it scrolls.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertInViewport, assertNoProblems, joinDirect, PHONE, PHONE_OPTIONS, screenshot, TEST_MS,
  throughTest, useServerAndBrowser, waitOnline, WEBSOCKET_FAILED,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

function people(from, count) {
  return Array.from({ length: count }, (_, i) => ({ name: `Guest ${from + i}`, lang: 'en' }));
}

if (browserAvailable('members')) {
  describe('members', { timeout: 90_000 }, () => {
    const env = useServerAndBrowser();

    test('a room of 1,203: the count is the room\'s, pages load on demand', { timeout: TEST_MS }, async () => {
      const room = 'stadium';
      const page = await env.open({ locale: 'en-US' });
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room, lang: 'en', name: 'Host' });
      await page.locator('#members .member').first().waitFor(); // the server's own answer is in
      // As the server answers in a room this big (no presence there).
      tap.drop = (frame) => frame.action === 'members';
      tap.inject({
        type: 'joined', connectionId: 'x', room, lang: 'en', name: 'Host', count: 1203,
        members: people(1, 500), next: 'page-2',
      });
      await page.locator('#member-count', { hasText: '(1203)' }).waitFor();
      assert.equal(await page.locator('#members .member').count(), 500);
      const more = page.locator('#members-more');
      assert.equal(await more.textContent(), 'Show 703 more');
      await more.click();
      assert.deepEqual(tap.sent.filter((f) => f.action === 'members').at(-1), { action: 'members', after: 'page-2' });
      assert.equal(await more.isDisabled(), true, 'one request at a time');
      tap.inject({ type: 'members', room, count: 1203, members: people(501, 500), next: 'page-3' });
      await page.locator('#members .member').nth(999).waitFor();
      assert.equal(await more.textContent(), 'Show 203 more');
      await more.click();
      tap.inject({ type: 'members', room, count: 1204, members: people(1001, 203), next: null });
      await more.waitFor({ state: 'hidden' });
      assert.equal(await page.locator('#members .member').count(), 1203);
      assert.equal(await page.textContent('#member-count'), '(1204)', 'the count is the server\'s, not the list\'s length');
      const names = await page.locator('#members .member-name').allTextContents();
      assert.equal(names[0], 'Guest 1');
      assert.equal(names.at(-1), 'Guest 1203');
    });

    test('phone: the member strip shows that it scrolls; the room title stays whole while offline', { timeout: TEST_MS }, async () => {
      const room = 'crew-lounge';
      const page = await env.open(PHONE_OPTIONS);
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room, lang: 'en', name: 'Pia' });
      await page.locator('#members .member').first().waitFor();
      tap.drop = (frame) => frame.action === 'members';
      tap.inject({
        type: 'joined', connectionId: 'x', room, lang: 'en', name: 'Pia', count: 9,
        members: [{ name: 'Pia', lang: 'en' }, ...people(1, 8).map((m) => ({ ...m, name: `${m.name} Longname` }))],
        next: null,
      });
      await page.locator('#members .member').nth(8).waitFor();
      const panel = page.locator('#members-panel');
      await page.locator('#members-panel[data-more="true"]').waitFor();
      const mask = await panel.evaluate((node) => getComputedStyle(node).maskImage || getComputedStyle(node).webkitMaskImage);
      assert.match(mask, /linear-gradient/, 'the last line fades out');
      // No entry is broken across lines.
      const wrapped = await page.$$eval('#members .member', (items) => items.filter((li) => li.getClientRects().length > 1).length);
      assert.equal(wrapped, 0);
      await screenshot(page, 'members-phone.png');
      await panel.evaluate((node) => { node.scrollTop = node.scrollHeight; });
      await page.locator('#members-panel[data-more="false"]').waitFor();

      // Offline: the retry countdown and "Reconnect now" get their own line; the title keeps the room's name.
      await env.server.stop();
      await page.locator('#offline-bar').waitFor();
      const title = page.locator('.room-title');
      await screenshot(page, 'offline-phone.png');
      const [scroll, client] = await title.evaluate((node) => [node.scrollWidth, node.clientWidth]);
      assert.ok(scroll <= client, `the room title is not cut (${scroll} > ${client})`);
      assert.equal(await page.textContent('#room-name'), room);
      await assertInViewport(page, page.locator('#reconnect-now'), PHONE);
      await env.restart();
      await waitOnline(page, 15_000);
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages, { allow: [WEBSOCKET_FAILED] });
    });
  });
}
