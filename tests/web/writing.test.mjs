// Writing (issue 13, page items 6 and 7 typing): Enter sends and
// Shift+Enter starts a line, a counter near the limit in characters,
// errors beside the field that caused them with the input kept, and
// "Aki is typing…" sent no more often than the contract allows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, messageWithText, send, sleep, TEST_MS, throughTest,
  useServerAndBrowser, waitForMessage,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

if (browserAvailable('writing')) {
  describe('writing', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('Enter sends, Shift+Enter starts a new line, Enter in an input method composes', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await joinDirect(page, env.server.url, { room: 'lines', lang: 'en', name: 'Lena' });
      await page.focus('#composer');
      await page.keyboard.type('first line');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('second line');
      assert.equal(await page.inputValue('#composer'), 'first line\nsecond line');
      // Enter that confirms an IME composition (e.g. kana to kanji) sends nothing.
      await page.locator('#composer').evaluate((box) => {
        box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', isComposing: true, bubbles: true, cancelable: true }));
      });
      assert.equal(await page.locator('#messages .message').count(), 0);
      await page.keyboard.press('Enter');
      const item = await waitForMessage(page, 'first line\nsecond line');
      assert.equal(await item.count(), 1);
      assert.equal(await page.inputValue('#composer'), '');
      const lines = await item.locator('.text').evaluate((node) => node.getClientRects()[0].height / parseFloat(getComputedStyle(node).lineHeight));
      assert.ok(lines >= 1.9, `shown on two lines (${lines})`);
    });

    test('near the limit a counter appears, in characters; over it, the text stays and says by how much', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room: 'limits', lang: 'en', name: 'Max' });
      const counter = page.locator('#composer-counter');
      await page.fill('#composer', 'a'.repeat(7000));
      assert.equal(await counter.isVisible(), false, 'far from the limit: no counter');
      await page.fill('#composer', 'a'.repeat(8500));
      assert.equal(await counter.textContent(), '1,500 characters left');
      // Japanese: 3 bytes a character, so the counter counts what a writer sees.
      const ja = await env.open();
      await joinDirect(ja, env.server.url, { room: 'limits', lang: 'ja', name: 'Mai' });
      await ja.fill('#composer', 'あ'.repeat(2900));
      assert.equal(await ja.textContent('#composer-counter'), '残り 433 文字');
      await ja.fill('#composer', 'あ'.repeat(3400));
      assert.equal(await ja.textContent('#composer-counter'), '67 文字オーバー');
      await ja.press('#composer', 'Enter');
      assert.match(await ja.textContent('#composer-error'), /67 文字長すぎます/);
      assert.equal(await ja.inputValue('#composer'), 'あ'.repeat(3400), 'the text is kept');
      assert.equal(await ja.getAttribute('#composer', 'aria-invalid'), 'true');
      // Shortened, it goes.
      await ja.fill('#composer', 'あ'.repeat(3333));
      assert.equal(await ja.textContent('#composer-error'), '');
      await ja.press('#composer', 'Enter');
      await waitForMessage(ja, 'あ'.repeat(3333));
      assert.equal(tap.sent.filter((f) => f.action === 'translate').length, 0, 'the en page sent nothing');
    });

    test('a bad room in Settings: the error is beside the field, the input is kept', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await joinDirect(page, env.server.url, { room: 'settings', lang: 'en', name: 'Rita' });
      await page.fill('#room-switch', 'not a room!');
      await page.click('#room-switch-button');
      const error = page.locator('#room-switch-error');
      // The check runs in the submit handler: wait for its words rather than read at once.
      await page.locator('#room-switch-error', { hasText: 'Room: 1 to 64 letters, digits, _ or -' }).waitFor({ timeout: 5000 });
      assert.match(await error.textContent(), /Room: 1 to 64 letters, digits, _ or -/);
      assert.equal(await page.inputValue('#room-switch'), 'not a room!', 'the input is kept');
      assert.equal(await page.getAttribute('#room-switch', 'aria-invalid'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'room-switch');
      assert.equal(await page.textContent('#composer-error'), '', 'nothing under the message box');
      assert.equal(await page.textContent('#room-name'), 'settings');
      await page.fill('#room-switch', 'settings-2');
      assert.equal(await error.textContent(), '', 'fixed: the error goes');
      await page.click('#room-switch-button');
      await page.locator('#room-name', { hasText: 'settings-2' }).waitFor();
    });

    test('a refused message says why beside the box, and Retry sends it once', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room: 'refused', lang: 'en', name: 'Remy' });
      tap.drop = (frame) => frame.action === 'translate';
      await send(page, 'too quick');
      await page.locator('.message[data-state="sending"]').waitFor();
      const { clientMsgId } = tap.sent.find((f) => f.action === 'translate');
      tap.inject({ type: 'error', code: 'rate_limited', message: 'slow down', action: 'translate', clientMsgId });
      const item = page.locator('.message.failed', { hasText: 'too quick' });
      await item.waitFor();
      assert.match(await item.locator('.local-status').textContent(), /not sent \(Too fast/);
      assert.match(await page.textContent('#composer-error'), /Too fast: wait a moment/);
      tap.drop = () => false;
      await item.locator('.retry').click();
      await waitForMessage(page, 'too quick');
      assert.equal(await page.textContent('#composer-error'), '');
      const sent = tap.sent.filter((f) => f.action === 'translate');
      assert.equal(sent.length, 2);
      assert.equal(sent[1].clientMsgId, clientMsgId, 'the retry reuses the id');
      assert.equal(await messageWithText(page, 'too quick').count(), 1);
    });

    test('"… is typing" shows while someone types, at most one frame per 3 s, and goes with their message', { timeout: TEST_MS }, async () => {
      const aki = await env.open({ locale: 'en-US' });
      const tap = await throughTest(aki);
      await joinDirect(aki, env.server.url, { room: 'typing', lang: 'ja', name: 'Aki' });
      const ben = await env.open({ locale: 'en-US' });
      await joinDirect(ben, env.server.url, { room: 'typing', lang: 'en', name: 'Ben' });
      await aki.focus('#composer');
      for (const char of 'こんにちは、ベンさん') {
        await aki.keyboard.type(char);
        await sleep(100);
      }
      await ben.locator('#typing', { hasText: 'Aki is typing…' }).waitFor();
      const shownAt = Date.now();
      assert.equal(await aki.textContent('#typing'), '', 'never about myself');
      assert.equal(tap.sent.filter((f) => f.action === 'typing').length, 1, 'one frame for a second of typing');
      await aki.keyboard.press('Enter');
      await waitForMessage(ben, '[en] こんにちは、ベンさん');
      assert.equal(await ben.textContent('#typing'), '', 'their message arrived: no longer typing');
      // Typing that stops without a message fades after a few seconds. (The
      // server relays one `typing` per 3 s; the page sends no more than that.)
      await sleep(Math.max(0, shownAt + 3200 - Date.now()));
      await aki.keyboard.type('また');
      await ben.locator('#typing', { hasText: 'Aki is typing…' }).waitFor();
      await ben.locator('#typing:empty').waitFor({ timeout: 8000 });
      assert.equal(tap.sent.filter((f) => f.action === 'typing').length, 2);
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
