// Reading (issue 13, page items 5, 7 links and 8): messages in `id` order
// whatever order they arrive in, grouped by sender, with day separators,
// an unread divider, "jump to latest", an unread count in the hidden tab's
// title, mentions, safe links, and "Show original" only when it differs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, messageWithText, screenshot, send, setTabHidden, sleep, TEST_MS,
  throughTest, useServerAndBrowser, waitForMessage,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const DAY = 86_400_000;

/** A `message` frame as the server sends it, for `inject`. */
function frame(room, id, text, { name = 'Zoe', ts = Date.now(), ...rest } = {}) {
  return { type: 'message', id, room, ts, from: { name, connectionId: `c-${name}` }, sourceLang: 'en', lang: 'en', text, translated: false, ...rest };
}

function texts(page) {
  return page.locator('#messages .message .text').allTextContents();
}

if (browserAvailable('reading')) {
  describe('reading the conversation', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('messages are kept in id order, however late one arrives; days are separated', { timeout: TEST_MS }, async () => {
      const room = 'order';
      const page = await env.open({ locale: 'en-US' });
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room, lang: 'en', name: 'Reader' });
      const now = Date.now();
      // Older than anything the server made, delivered out of order.
      tap.inject(frame(room, '01A0000000000000000000000C', 'third', { ts: now - 1000 }));
      tap.inject(frame(room, '01A0000000000000000000000A', 'first', { ts: now - 3 * DAY }));
      tap.inject(frame(room, '01A0000000000000000000000B', 'second', { ts: now - DAY }));
      await messageWithText(page, 'second').waitFor();
      await send(page, 'fourth, from the server');
      await waitForMessage(page, 'fourth, from the server');
      assert.deepEqual(await texts(page), ['first', 'second', 'third', 'fourth, from the server']);
      const days = await page.locator('#messages .day-separator').allTextContents();
      assert.equal(days.length, 3, days.join(' | '));
      assert.deepEqual(days.slice(1), ['Yesterday', 'Today']);
      assert.match(days[0], new RegExp(new Date(now - 3 * DAY).toLocaleDateString('en-US', { weekday: 'long' })));
      // Each separator sits right before the first message of its day.
      const order = await page.$$eval('#messages > li', (items) => items.map((li) => li.className.split(' ')[0]));
      assert.deepEqual(order.filter((c) => c !== 'presence' && c !== 'system'),
        ['day-separator', 'message', 'day-separator', 'message', 'day-separator', 'message', 'message']);
    });

    test('consecutive messages from one sender are grouped', { timeout: TEST_MS }, async () => {
      const room = 'groups';
      const page = await env.open();
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room, lang: 'en', name: 'Reader' });
      const now = Date.now();
      tap.inject(frame(room, '01A000000000000000000000G1', 'one', { name: 'Zoe', ts: now - 5000 }));
      tap.inject(frame(room, '01A000000000000000000000G2', 'two', { name: 'Zoe', ts: now - 4000 }));
      tap.inject(frame(room, '01A000000000000000000000G3', 'three', { name: 'Yann', ts: now - 3000 }));
      tap.inject(frame(room, '01A000000000000000000000G4', 'four', { name: 'Yann', ts: now - 2000 }));
      await messageWithText(page, 'four').waitFor();
      const grouped = await page.$$eval('#messages .message', (items) => items.map((li) => li.classList.contains('grouped')));
      assert.deepEqual(grouped, [false, true, false, true]);
      // The name is still there for screen readers.
      assert.equal(await messageWithText(page, 'two').locator('.sender').textContent(), 'Zoe');
    });

    test('scrolled up: an unread divider and "jump to latest"; a hidden tab counts in its title', { timeout: TEST_MS }, async () => {
      const room = 'unread';
      const reader = await env.open({ locale: 'en-US' });
      const tap = await throughTest(reader);
      await joinDirect(reader, env.server.url, { room, lang: 'en', name: 'Reader' });
      const writer = await env.open();
      await joinDirect(writer, env.server.url, { room, lang: 'en', name: 'Writer' });
      for (let i = 1; i <= 40; i += 1) {
        tap.inject(frame(room, `01A0000000000000000000${String(i).padStart(4, '0')}`, `old ${i}`, { ts: Date.now() - 60_000 }));
      }
      await messageWithText(reader, 'old 40').waitFor();
      const jump = reader.locator('#jump-latest');
      assert.equal(await jump.isVisible(), false, 'at the bottom: no jump button');

      await reader.locator('#messages').evaluate((list) => { list.scrollTop = 0; });
      await jump.waitFor({ state: 'visible' });
      assert.match(await jump.textContent(), /Jump to latest/);
      await send(writer, 'news while you read');
      await waitForMessage(reader, 'news while you read');
      await reader.locator('#jump-latest', { hasText: '1 new message' }).waitFor();
      const divider = reader.locator('#unread-divider');
      assert.equal(await divider.textContent(), 'New messages');
      const next = await divider.evaluate((node) => node.nextElementSibling?.querySelector('.text')?.textContent);
      assert.equal(next, 'news while you read', 'the divider sits before the first unread message');
      await screenshot(reader, 'reading-unread.png');
      await jump.click();
      await jump.waitFor({ state: 'hidden' });
      const atBottom = await reader.locator('#messages').evaluate((l) => l.scrollHeight - l.scrollTop - l.clientHeight < 80);
      assert.ok(atBottom, 'jumped to the latest');

      // A hidden tab shows how many arrived in its title, and forgets once seen.
      const title = await reader.title();
      assert.equal(title, `${room} — honyaku`);
      await setTabHidden(reader, true);
      await send(writer, 'one while away');
      await send(writer, 'two while away');
      await waitForMessage(reader, 'two while away');
      assert.equal(await reader.title(), `(2) ${room} — honyaku`);
      await setTabHidden(reader, false);
      assert.equal(await reader.title(), title);
      // My own message clears the divider.
      await send(reader, 'back');
      await waitForMessage(reader, 'back');
      assert.equal(await divider.count(), 0);
    });

    test('a message that mentions me stands out', { timeout: TEST_MS }, async () => {
      const room = 'mentions';
      const nora = await env.open();
      await joinDirect(nora, env.server.url, { room, lang: 'en', name: 'Nora' });
      const sam = await env.open();
      await joinDirect(sam, env.server.url, { room, lang: 'es', name: 'Sam' });
      for (const text of ['Hi @nora, look at this', 'Noralee is someone else', 'thanks Nora!']) await send(sam, text);
      await waitForMessage(nora, '[en] thanks Nora!');
      assert.match(await messageWithText(nora, '[en] Hi @nora, look at this').getAttribute('class'), /\bmention\b/);
      assert.match(await messageWithText(nora, '[en] thanks Nora!').getAttribute('class'), /\bmention\b/);
      assert.doesNotMatch(await messageWithText(nora, '[en] Noralee is someone else').getAttribute('class'), /\bmention\b/);
      // My own messages never count as mentioning me.
      await send(nora, 'Nora here');
      assert.doesNotMatch(await (await waitForMessage(nora, 'Nora here')).getAttribute('class'), /\bmention\b/);
    });

    test('http(s) URLs become safe links; nothing else does', { timeout: TEST_MS }, async () => {
      const room = 'links';
      const page = await env.open();
      await joinDirect(page, env.server.url, { room, lang: 'en', name: 'Lina' });
      const other = await env.open();
      await joinDirect(other, env.server.url, { room, lang: 'es', name: 'Otto' });
      const text = 'see https://example.com/wiki/Foo_(bar). or http://example.org/a?b=1&c=2, '
        + 'not javascript:alert(1) nor www.example.net nor <a href="https://evil.example">x</a>';
      await send(page, text);
      const mine = await waitForMessage(page, text);
      const links = await mine.locator('.text a').evaluateAll((anchors) => anchors.map((a) => ({
        href: a.getAttribute('href'), text: a.textContent, target: a.target, rel: a.rel,
      })));
      assert.deepEqual(links, [
        { href: 'https://example.com/wiki/Foo_(bar)', text: 'https://example.com/wiki/Foo_(bar)', target: '_blank', rel: 'noopener noreferrer' },
        { href: 'http://example.org/a?b=1&c=2', text: 'http://example.org/a?b=1&c=2', target: '_blank', rel: 'noopener noreferrer' },
        { href: 'https://evil.example/', text: 'https://evil.example', target: '_blank', rel: 'noopener noreferrer' },
      ]);
      assert.equal(await mine.locator('.text').textContent(), text, 'the text reads as written');
      // The reader's copy and its original link the same way.
      const theirs = await waitForMessage(other, `[es] ${text}`);
      assert.equal(await theirs.locator('.text a').count(), 3);
      assert.equal(await theirs.locator('.original-text a').count(), 3);
      assert.equal(await other.locator('a[href^="javascript"]').count(), 0);
    });

    test('"Show original" only when the original says something else', { timeout: TEST_MS }, async () => {
      const room = 'originals';
      const page = await env.open();
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room, lang: 'fr', name: 'Flo' });
      tap.inject(frame(room, '01A00000000000000000000OR1', 'Hello', {
        lang: 'fr', original: 'Hello', error: 'unsupported_language_pair',
      }));
      tap.inject(frame(room, '01A00000000000000000000OR2', 'Bonjour', { lang: 'fr', original: 'Hello', translated: true, engine: 'pseudo' }));
      await messageWithText(page, 'Bonjour').waitFor();
      const untranslated = messageWithText(page, 'Hello');
      assert.equal(await untranslated.locator('.toggle-original').count(), 0, 'nothing else to show');
      assert.match(await untranslated.locator('.error-marker').textContent(), /Non traduit/);
      assert.equal(await messageWithText(page, 'Bonjour').locator('.toggle-original').count(), 1);
      await sleep(50);
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
