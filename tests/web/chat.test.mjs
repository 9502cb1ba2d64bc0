// The chat page in a real Chromium against the real server: two people in
// different languages, history, safety, links, switching, layout.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertInViewport, assertNoProblems, DESKTOP, joinByForm, joinDirect, messageWithText, PHONE,
  PHONE_OPTIONS, pngSize, screenshot, send, sleep, TEST_MS, useServerAndBrowser, waitForMessage,
  waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const ROOM = 'web-test';
const HELLO = 'Hello, how are you?';
const REPLY = 'Muy bien, gracias';
const XSS = '<img src=x onerror=alert(1)>';

if (browserAvailable('chat')) {
  describe('chat page', { timeout: 90_000 }, () => {
    const env = useServerAndBrowser();
    const open = (options) => env.open(options);
    let server;
    let alice; // en, joined with the form
    let bea; // es, joined with a direct link

    test('two people in different languages read each other; the original is one click away', { timeout: TEST_MS }, async () => {
      ({ server } = env);
      alice = await open();
      await joinByForm(alice, server.url, { room: ROOM, lang: 'en', name: 'Alice' });
      bea = await open();
      await joinDirect(bea, server.url, { room: ROOM, lang: 'es', name: 'Bea' });

      // Alice learns Bea arrived, with her language; both list both members.
      await alice.locator('.presence', { hasText: 'Bea joined' }).waitFor();
      assert.match(await alice.locator('.presence', { hasText: 'Bea joined' }).textContent(), /Español \(es\)/);
      for (const page of [alice, bea]) {
        await page.locator('#members .member').nth(1).waitFor();
        const members = await page.locator('#members .member').allTextContents();
        assert.equal(members.length, 2);
        assert.ok(members.some((m) => m.includes('Alice') && m.includes('English (en)')), members.join());
        assert.ok(members.some((m) => m.includes('Bea') && m.includes('Español (es)')), members.join());
      }

      await send(alice, HELLO);
      // Alice's own copy: shown at once, then confirmed by the echo.
      const own = await waitForMessage(alice, HELLO);
      assert.equal(await own.count(), 1);
      assert.ok(await own.getAttribute('data-client-msg-id'), 'the echo carries clientMsgId');
      assert.equal(await alice.locator('.message.pending').count(), 0);
      assert.match(await own.getAttribute('class'), /\bown\b/);

      // Bea reads it in Spanish and can reveal the English original.
      const translated = await waitForMessage(bea, `[es] ${HELLO}`);
      assert.match(await translated.locator('.sender').textContent(), /Alice/);
      const original = translated.locator('.original');
      assert.equal(await original.isVisible(), false);
      const toggle = translated.locator('.toggle-original');
      await toggle.click();
      await original.waitFor({ state: 'visible' });
      assert.match(await original.textContent(), new RegExp(escape(HELLO)));
      assert.match(await original.textContent(), /English \(en\)/);
      assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
      await toggle.click();
      await original.waitFor({ state: 'hidden' });
      await toggle.click();

      // The test translator's "[es] ..." is explained, once, in a note that can be dismissed
      // (in Spanish, Bea's language).
      const banner = bea.locator('#engine-banner');
      await banner.waitFor({ state: 'visible' });
      assert.match(await banner.textContent(), /Traductor de prueba.*\[es\] Hello/);

      await send(bea, REPLY);
      await waitForMessage(alice, `[en] ${REPLY}`);
      await waitForMessage(bea, REPLY);

      // Screenshots of both sides; Bea's is checked by what it shows.
      const enShot = await screenshot(alice, 'chat-en.png');
      const esShot = await screenshot(bea, 'chat-es.png');
      assert.deepEqual(pngSize(esShot), DESKTOP);
      assert.deepEqual(pngSize(enShot), DESKTOP);
      await assertInViewport(bea, translated, DESKTOP);
      await assertInViewport(bea, translated.locator('.original'), DESKTOP);
      await assertInViewport(bea, bea.locator('#composer'), DESKTOP);
    });

    test('a late joiner sees the history, in their own language', { timeout: TEST_MS }, async () => {
      const carl = await open();
      await joinDirect(carl, server.url, { room: ROOM, lang: 'fr', name: 'Carl' });
      await waitForMessage(carl, `[fr] ${HELLO}`);
      await waitForMessage(carl, `[fr] ${REPLY}`);
      const texts = await carl.locator('#messages .message .text').allTextContents();
      assert.deepEqual(texts, [`[fr] ${HELLO}`, `[fr] ${REPLY}`], 'oldest first, each once');
      await alice.locator('.presence', { hasText: 'Carl joined' }).waitFor();
      await carl.context().close();
      // A leave line waits a few seconds, in case the same person is back at once.
      await alice.locator('.presence', { hasText: 'Carl left' }).waitFor({ timeout: 10_000 });
    });

    test('markup in a message is shown as text, never run', { timeout: TEST_MS }, async () => {
      await send(alice, XSS);
      await waitForMessage(alice, XSS);
      await waitForMessage(bea, `[es] ${XSS}`);
      await sleep(300); // an injected <img> would have fired onerror by now
      for (const page of [alice, bea]) {
        assert.equal(await page.locator('#messages img').count(), 0);
        assert.equal(await page.evaluate(() => document.images.length), 0);
        assert.deepEqual(page.problems.dialogs, []);
      }
      await bea.locator('.message', { hasText: XSS }).locator('.toggle-original').click();
      const shown = await bea.locator('.message', { hasText: XSS }).locator('.original-text').textContent();
      assert.equal(shown, XSS);
    });

    test('?room= pre-fills the form; ?room=&lang=&name= joins without it', { timeout: TEST_MS }, async () => {
      const page = await open();
      const response = await page.goto(new URL(`/?room=${ROOM}`, server.url).href);
      const csp = response.headers()['content-security-policy'] ?? '';
      assert.match(csp, /script-src 'self'/, 'the page is served with its CSP');
      await page.locator('#join-view').waitFor({ state: 'visible' });
      assert.equal(await page.inputValue('#room'), ROOM);
      assert.equal(await page.locator('#chat-view').isVisible(), false);

      await joinDirect(page, server.url, { room: ROOM, lang: 'de', name: 'Dora' });
      assert.equal(await page.locator('#join-view').isVisible(), false);
      assert.equal(await page.locator('#room-name').textContent(), ROOM);
      assert.match(await page.locator('#me-name').textContent(), /Dora · Deutsch \(de\)/);
      await waitForMessage(page, `[de] ${HELLO}`);
      await page.context().close();
    });

    test('keyboard only: join, send, reveal the original', { timeout: TEST_MS }, async () => {
      const page = await open();
      await page.goto(new URL('/', server.url).href);
      await page.waitForFunction(() => document.activeElement?.id === 'name'); // the page focuses it
      await page.keyboard.type('Eiko');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'room');
      await page.keyboard.press('ControlOrMeta+A');
      await page.keyboard.type(ROOM);
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'lang-find');
      await page.keyboard.type('italia'); // finds Italiano by its own name
      assert.equal(await page.inputValue('#lang'), 'it');
      await page.keyboard.press('Enter'); // submits the form with the language found
      await waitOnline(page);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'composer');
      await page.keyboard.type('Ciao a tutti');
      await page.keyboard.press('Enter');
      await waitForMessage(page, 'Ciao a tutti');
      await waitForMessage(alice, '[en] Ciao a tutti');

      const hello = messageWithText(page, `[it] ${HELLO}`);
      await hello.locator('.toggle-original').focus();
      await page.keyboard.press('Enter');
      await hello.locator('.original').waitFor({ state: 'visible' });
      await page.context().close();
    });

    test('switching language re-renders the conversation without a reload', { timeout: TEST_MS }, async () => {
      await bea.evaluate(() => { window.__sameDocument = true; });
      await bea.selectOption('#lang-switch', 'fr');
      await waitForMessage(bea, `[fr] ${HELLO}`);
      await waitForMessage(bea, `[fr] ${REPLY}`);
      assert.equal(await bea.evaluate(() => window.__sameDocument), true, 'the page did not reload');
      assert.match(await bea.locator('#me-name').textContent(), /Français \(fr\)/);
      assert.equal(new URL(bea.url()).searchParams.get('lang'), 'fr');
      assert.equal(await messageWithText(bea, `[es] ${HELLO}`).count(), 0);
      // New messages now arrive in French.
      await send(alice, 'Still there?');
      await waitForMessage(bea, '[fr] Still there?');
      await bea.selectOption('#lang-switch', 'es');
      await waitForMessage(bea, `[es] ${HELLO}`);
      assert.equal(await bea.evaluate(() => window.__sameDocument), true);
    });

    test('switching room leaves the old room and shows the new one', { timeout: TEST_MS }, async () => {
      await bea.evaluate(() => { window.__sameDocument = true; });
      await bea.fill('#room-switch', 'web-test-2');
      await bea.click('#room-switch-button');
      await bea.locator('#room-name', { hasText: 'web-test-2' }).waitFor();
      await alice.locator('.presence', { hasText: 'Bea left' }).waitFor();
      assert.equal(await bea.locator('#messages .message').count(), 0);
      assert.equal(await bea.locator('#members .member').count(), 1);
      assert.equal(await bea.evaluate(() => document.activeElement?.id), 'composer');
      await send(bea, 'Hola, sala nueva');
      await waitForMessage(bea, 'Hola, sala nueva');
      assert.equal(await messageWithText(alice, '[en] Hola, sala nueva').count(), 0);
      await bea.fill('#room-switch', ROOM);
      await bea.click('#room-switch-button');
      await waitForMessage(bea, `[es] ${HELLO}`);
      assert.equal(await bea.evaluate(() => window.__sameDocument), true);
    });

    test('"Load earlier" pages back through a long history', { timeout: TEST_MS }, async () => {
      const room = 'web-long';
      const writer = await open();
      await joinDirect(writer, server.url, { room, lang: 'en', name: 'Writer' });
      const total = 57;
      await writer.evaluate(async (count) => {
        // Sent straight on the page's origin so the test does not wait for 57 form posts.
        const bounded = (promise, what) => Promise.race([promise, new Promise((_, fail) => {
          setTimeout(() => fail(new Error(`no ${what} within 5 s`)), 5000);
        })]);
        const ws = new WebSocket(`ws://${location.host}/local?room=web-long&lang=en&name=Bot`);
        await bounded(new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; }), 'open');
        for (let i = 1; i <= count; i += 1) {
          const echoed = new Promise((ok) => {
            ws.onmessage = (event) => { if (JSON.parse(event.data).type === 'message') ok(); };
          });
          ws.send(JSON.stringify({ action: 'translate', text: `line ${i}`, clientMsgId: `bulk-${i}` }));
          await bounded(echoed, `echo of line ${i}`);
        }
        ws.close();
      }, total);
      await waitForMessage(writer, `line ${total}`);

      const reader = await open();
      await joinDirect(reader, server.url, { room, lang: 'en', name: 'Reader' });
      await waitForMessage(reader, `line ${total}`);
      const more = reader.locator('#load-earlier');
      await more.waitFor({ state: 'visible' });
      assert.equal(await reader.locator('#messages .message').count(), 50);
      await assertInViewport(reader, messageWithText(reader, `line ${total}`), DESKTOP);
      await more.click();
      await waitForMessage(reader, 'line 1');
      assert.equal(await reader.locator('#messages .message').count(), total);
      await more.waitFor({ state: 'hidden' });
      const texts = await reader.locator('#messages .message .text').allTextContents();
      assert.deepEqual(texts, Array.from({ length: total }, (_, i) => `line ${i + 1}`));
      await writer.context().close();
      await reader.context().close();
    });

    test('phone width and dark mode: nothing overflows, the translation is readable', { timeout: TEST_MS }, async () => {
      const variants = [
        { file: 'chat-es-phone-dark.png', ...PHONE_OPTIONS, colorScheme: 'dark' },
        { file: 'chat-es-phone-light.png', ...PHONE_OPTIONS, colorScheme: 'light' },
        { file: 'chat-es-desktop-dark.png', viewport: DESKTOP, colorScheme: 'dark' },
      ];
      for (const { file, ...options } of variants) {
        const page = await open(options);
        await joinDirect(page, server.url, { room: ROOM, lang: 'es', name: 'Fran' });
        const hello = await waitForMessage(page, `[es] ${HELLO}`);
        await hello.locator('.toggle-original').click();
        await messageWithText(page, `[es] ${XSS}`).waitFor();
        const shot = await screenshot(page, file);
        assert.deepEqual(pngSize(shot), options.viewport);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `${file}: the page is ${overflow}px wider than the screen`);
        await assertInViewport(page, page.locator('#composer'), options.viewport);
        await assertInViewport(page, page.locator('#send-button'), options.viewport);
        await assertInViewport(page, messageWithText(page, `[es] ${XSS}`), options.viewport);
        if (options.colorScheme === 'dark') {
          const [bg, fg] = await page.evaluate(() => {
            const style = getComputedStyle(document.body);
            return [style.backgroundColor, style.color];
          });
          assert.ok(luminance(bg) < 0.2 && luminance(fg) > 0.6, `${file}: dark mode colours ${bg} on ${fg}`);
        }
        if (options.viewport === PHONE) {
          // Settings fold away on a phone; one tap shows them, all on screen.
          assert.equal(await page.locator('#lang-switch').isVisible(), false);
          await page.click('#settings-toggle');
          assert.equal(await page.getAttribute('#settings-toggle', 'aria-expanded'), 'true');
          for (const id of ['#lang-switch', '#room-switch', '#room-switch-button', '#share-link', '#copy-link']) {
            await assertInViewport(page, page.locator(id), PHONE);
          }
          await screenshot(page, file.replace('.png', '-settings.png'));
          await page.keyboard.press('Escape');
          await page.locator('#lang-switch').waitFor({ state: 'hidden' });
        }
        await page.context().close();
      }
      // The longest room name, a long name and an unbroken word still fit a phone.
      const long = await open(PHONE_OPTIONS);
      const longRoom = `r${'-long'.repeat(12)}-room-name`.slice(0, 64);
      await joinDirect(long, server.url, { room: longRoom, lang: 'ja', name: '翔太郎 with a rather long name!!' });
      await send(long, `unbroken ${'x'.repeat(400)}`);
      await waitForMessage(long, `unbroken ${'x'.repeat(400)}`);
      await screenshot(long, 'chat-ja-phone-long.png');
      const longOverflow = await long.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(longOverflow <= 0, `a long room name makes the page ${longOverflow}px wider than the screen`);
      assert.equal(await long.evaluate(() => window.innerWidth), PHONE.width);
      await assertInViewport(long, long.locator('#send-button'), PHONE);
      await assertInViewport(long, long.locator('#settings-toggle'), PHONE);
      await long.context().close();

      const join = await open(PHONE_OPTIONS);
      await join.goto(new URL(`/?room=${ROOM}`, server.url).href);
      await screenshot(join, 'join-phone.png');
      const overflow = await join.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the join form is ${overflow}px wider than the screen`);
    });

    test('every control has a name, and every field says what is wrong with it', { timeout: TEST_MS }, async () => {
      const page = await open(PHONE_OPTIONS);
      const unnamed = () => page.$$eval('input, select, textarea, button', (controls) => controls
        .filter((c) => c.getClientRects().length > 0)
        .filter((c) => !(c.labels?.length || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby')
          || (c.tagName === 'BUTTON' && c.textContent.trim())))
        .map((c) => c.id || c.outerHTML.slice(0, 60)));
      await page.goto(new URL('/', server.url).href);
      await page.locator('html:not(.loading)').waitFor({ state: 'attached' });
      assert.deepEqual(await unnamed(), [], 'join form');
      await page.fill('#name', '');
      await page.click('#join-button');
      assert.equal(await page.getAttribute('#name', 'aria-invalid'), 'true');
      const described = await page.getAttribute('#name', 'aria-describedby');
      assert.match(await page.textContent(`#${described}`), /Name: 1 to 32 characters/);
      await joinDirect(page, server.url, { room: ROOM, lang: 'en', name: 'Ivy' });
      await page.click('#settings-toggle');
      assert.deepEqual(await unnamed(), [], 'chat view with its settings open');
      // A live list (role=log is not allowed on an <ol>: axe, tests/web/a11y.test.mjs).
      assert.equal(await page.getAttribute('#messages', 'aria-live'), 'polite');
      assert.equal(await page.getAttribute('#typing', 'aria-live'), 'polite');
      await page.context().close();
    });

    test('no CSP violations, console errors or uncaught exceptions on any page', () => {
      assert.ok(env.pages.length >= 8);
      assertNoProblems(env.pages);
    });
  });
}

function luminance(rgb) {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
