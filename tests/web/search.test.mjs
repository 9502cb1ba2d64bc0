// Search in the loaded conversation (issue 25, feature 7): a box opened by
// its button or "/" (never Ctrl+F, which stays the browser's), showing only
// messages whose translation, original or sender matches.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, messageWithText, PHONE, PHONE_OPTIONS, screenshot, TEST_MS, throughTest,
  useServerAndBrowser,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

function frame(room, id, text, { name = 'Zoe', original, sourceLang = 'en', lang = 'es' } = {}) {
  return {
    type: 'message', id, room, ts: Date.now(), from: { name, connectionId: `c-${name}` },
    sourceLang, lang, text, original, translated: original !== undefined,
  };
}

const shown = (page) => page.locator('#messages .message:visible .text').allTextContents();

async function conversation(page, room) {
  const tap = await throughTest(page);
  await joinDirect(page, page.baseUrl, { room, lang: 'es', name: 'Lector' });
  tap.inject(frame(room, '01A0000000000000000000000A', 'Hola a todos', { original: 'Hello everyone', name: 'Zoe' }));
  tap.inject(frame(room, '01A0000000000000000000000B', 'El tren llega tarde', { original: 'The train is late', name: 'Bruno' }));
  tap.inject(frame(room, '01A0000000000000000000000C', 'Nos vemos mañana', { original: 'See you tomorrow', name: 'Zoe' }));
  await messageWithText(page, 'Nos vemos mañana').waitFor();
}

if (browserAvailable('search')) {
  describe('search in the conversation', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('"/" opens it; matches translation, original and sender; Escape restores everything', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'es-ES' });
      page.baseUrl = env.server.url;
      await conversation(page, 'search-desk');

      // Ctrl+F is left to the browser; "/" in the composer is just a character.
      await page.focus('#composer');
      await page.keyboard.press('/');
      assert.equal(await page.inputValue('#composer'), '/');
      await page.fill('#composer', '');
      await page.keyboard.press('Control+f');
      assert.equal(await page.locator('#search-bar').isVisible(), false, 'Ctrl+F does not open it');

      await page.locator('#messages').focus();
      await page.keyboard.press('/');
      await page.locator('#search-input:focus').waitFor();
      assert.equal(await page.getAttribute('#search-input', 'aria-label'), 'Buscar mensajes y nombres');

      await page.keyboard.type('TREN');
      assert.deepEqual(await shown(page), ['El tren llega tarde'], 'the translation, any case');
      assert.equal(await page.textContent('#search-count'), '1 mensaje');
      await page.fill('#search-input', 'tomorrow');
      assert.deepEqual(await shown(page), ['Nos vemos mañana'], 'the original');
      await page.fill('#search-input', 'zoe');
      assert.deepEqual(await shown(page), ['Hola a todos', 'Nos vemos mañana'], 'the sender');
      assert.equal(await page.textContent('#search-count'), '2 mensajes');
      assert.equal(await page.evaluate(() => CSS.highlights.get('honyaku-search')?.size), 2, 'matches are highlighted');
      await page.fill('#search-input', 'nothing like it');
      assert.deepEqual(await shown(page), []);
      assert.equal(await page.textContent('#search-count'), 'Ningún mensaje coincide.');

      // A message arriving meanwhile is filtered too.
      await page.fill('#search-input', 'tren');
      await page.fill('#composer', 'otro tren más');
      await page.click('#send-button');
      await page.locator('#messages .message:visible .text', { hasText: 'otro tren más' }).waitFor();
      await page.fill('#composer', 'sin nada');
      await page.click('#send-button');
      await page.locator('#messages .message[data-id] .text', { hasText: 'sin nada' }).waitFor({ state: 'attached' });
      assert.deepEqual(await shown(page), ['El tren llega tarde', 'otro tren más']);

      await screenshot(page, 'search-desktop.png');
      await page.focus('#search-input');
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#search-bar').isVisible(), false);
      assert.equal((await shown(page)).length, 5, 'everything again');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-toggle');
      assertNoProblems(env.pages);
    });

    test('phone, ar: the button opens it and it fits the screen', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
      const tap = await throughTest(page);
      const room = 'search-phone';
      await joinDirect(page, env.server.url, { room, lang: 'ar', name: 'ليلى' });
      tap.inject(frame(room, '01A0000000000000000000000A', 'مرحبا بالجميع', { original: 'Hello everyone', lang: 'ar' }));
      tap.inject(frame(room, '01A0000000000000000000000B', 'القطار متأخر', { original: 'The train is late', lang: 'ar', name: 'سامي' }));
      await messageWithText(page, 'القطار متأخر').waitFor();
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      await page.click('#search-toggle');
      await page.locator('#search-input:focus').waitFor();
      await page.keyboard.type('سامي');
      assert.deepEqual(await shown(page), ['القطار متأخر']);
      for (const selector of ['#search-input', '#search-count', '.search-close', '#search-toggle']) {
        const box = await page.locator(selector).boundingBox();
        assert.ok(box && box.x >= 0 && box.x + box.width <= PHONE.width + 0.5, `${selector} fits (${JSON.stringify(box)})`);
      }
      await screenshot(page, 'search-phone-ar.png');
      await page.click('.search-close');
      assert.equal((await shown(page)).length, 2);
      assertNoProblems(env.pages);
    });
  });
}
