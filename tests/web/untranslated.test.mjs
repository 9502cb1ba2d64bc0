// What does not translate here (issue 22 item 4, issue 25 item 11): the
// language picker says per language whether it translates and names the
// server's engines, asking again on each connect; a sender whom nobody
// else can read translated sees one quiet note; a reader sees "not
// translated" once per sender and language, explained in place, on a phone
// too and right to left in Arabic.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertInViewport, assertNoProblems, joinDirect, messageWithText, openPage, PHONE, PHONE_OPTIONS, screenshot,
  send, TEST_MS, useServerAndBrowser, waitForMessage, waitOnline,
} from './helpers.mjs';
import { apertiumAvailable, browserAvailable } from './prereq.mjs';

/** /status.json as a server with two engines says it, one of them down. */
const TWO_ENGINES = {
  engine: 'apertium,libretranslate',
  stage: 'local',
  notice: null,
  languages: { en: ['es', 'ja'], es: ['en', 'ja'], ja: ['en', 'es'] },
  engines: [
    { name: 'apertium', ok: true, pairs: 2 },
    { name: 'libretranslate', ok: false, pairs: 4, url: 'http://127.0.0.1:5000' },
  ],
};

/** The option for `code` in `select`: its text and its group's label. */
function optionOf(page, select, code) {
  return page.$eval(`${select} option[value="${code}"]`, (o) => ({
    text: o.textContent, group: o.parentElement.tagName === 'OPTGROUP' ? o.parentElement.label : '',
  }));
}

if (browserAvailable('untranslated')) {
  describe('what translates here, with several engines', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser();

    test('the picker marks each language and names the engines; it is asked again on connect', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      let asked = 0;
      await page.route('**/status.json', (route) => {
        asked += 1;
        // At first only en↔es; once connected, the second engine brought ja.
        const languages = asked === 1 ? { en: ['es'], es: ['en'] } : TWO_ENGINES.languages;
        const notice = asked === 1 ? null : 'libretranslate rests after failing; apertium carries on.';
        route.fulfill({
          contentType: 'application/json', body: JSON.stringify({ ...TWO_ENGINES, languages, notice }),
        });
      });
      await openPage(page, new URL('/?room=engines', env.server.url).href);
      assert.deepEqual(await optionOf(page, '#lang', 'ja'),
        { text: '日本語 (ja) — not translated here', group: 'Not translated by this server' });
      assert.equal((await optionOf(page, '#lang', 'es')).group, 'Translated here');
      await page.selectOption('#lang', 'en');
      await page.locator('#lang-hint', {
        hasText: 'This server translates 2 languages; the others are marked in the list. '
          + 'Engines here: apertium, libretranslate (not answering).',
      }).waitFor();

      await page.fill('#name', 'Ema');
      await page.click('#join-button');
      await waitOnline(page);
      await page.waitForFunction(() => document.querySelector('#lang-switch option[value="ja"]')
        ?.parentElement.label === 'Translated here');
      assert.ok(asked >= 2, 'status.json was asked again on connect');
      await page.locator('#engine-banner', { hasText: 'libretranslate rests after failing' }).waitFor();
      assert.equal((await optionOf(page, '#lang-switch', 'ar')).group, 'Not translated by this server');
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}

if (browserAvailable('untranslated') && apertiumAvailable('untranslated')) {
  describe('a language this server does not translate', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser({ args: ['--translator', 'apertium'] });

    test('the sender sees one quiet note; readers see "not translated" once per sender and language', { timeout: TEST_MS }, async () => {
      const room = 'quiet';
      const alice = await env.open({ locale: 'en-US' });
      await joinDirect(alice, env.server.url, { room, lang: 'en', name: 'Alice' });
      const carla = await env.open({ locale: 'es-ES' });
      await joinDirect(carla, env.server.url, { room, lang: 'es', name: 'Carla' });
      const kenji = await env.open({ locale: 'ja-JP' });
      await joinDirect(kenji, env.server.url, { room, lang: 'ja', name: 'Kenji' });

      // Kenji: nobody else can read Japanese translated. One note, above the composer, in his language.
      const note = kenji.locator('#lang-note');
      await note.waitFor();
      const said = await kenji.textContent('#lang-note-text');
      assert.match(said, /^このサーバーは日本語から.*英語.*へ翻訳できません/);
      assert.match(said, /スペイン語/);
      assert.equal(await kenji.isVisible('#lang-note-detail'), false, 'the explanation waits for "Why?"');
      await note.locator('.why').click();
      assert.match(await kenji.textContent('#lang-note-detail'), /LibreTranslate/);
      // Alice and Carla read each other translated: no note for them.
      assert.equal(await alice.isVisible('#lang-note'), false);
      assert.equal(await carla.isVisible('#lang-note'), false);

      for (const text of ['こんにちは', '元気ですか', 'また後で']) await send(kenji, text);
      for (const text of ['こんにちは', '元気ですか', 'また後で']) {
        const mine = await waitForMessage(kenji, text);
        assert.equal(await mine.locator('.untranslated').count(), 0, 'no marker on my own message');
      }
      assert.equal(await kenji.locator('#lang-note').count(), 1, 'still one note, not one per message');

      // Alice reads them as written, told once.
      const last = await waitForMessage(alice, 'また後で');
      const first = messageWithText(alice, 'こんにちは');
      assert.equal(await first.locator('.text').getAttribute('lang'), 'ja', 'the original keeps its language');
      const markers = alice.locator('#messages .untranslated');
      assert.equal(await markers.count(), 3);
      assert.equal(await alice.locator('#messages .untranslated:visible').count(), 1, 'said once, not on each line');
      assert.equal(await first.locator('.error-marker').textContent(),
        'Not translated: this server does not translate Japanese into English.');
      assert.equal(await last.locator('.untranslated').isVisible(), false);
      await first.locator('.why').click();
      assert.match(await first.locator('.why-text').textContent(), /Kenji's messages in Japanese are shown as written/);
      assert.equal(await first.locator('.why').getAttribute('aria-expanded'), 'true');

      // Another sender in a language Kenji cannot read translated: told once for each.
      await send(alice, 'See you later');
      await send(alice, 'Bye');
      // Carla sends only once Alice's lines have arrived: two senders' messages have no order between them.
      await waitForMessage(kenji, 'Bye');
      await send(carla, 'Hasta luego');
      await waitForMessage(kenji, 'Hasta luego');
      const shown = await kenji.locator('#messages .untranslated:visible .error-marker').allTextContents();
      assert.deepEqual(shown, [
        '未翻訳：このサーバーは英語から日本語へ翻訳できません。',
        '未翻訳：このサーバーはスペイン語から日本語へ翻訳できません。',
      ]);

      // Dismissed, the note stays away for this room and language.
      await note.locator('#lang-note-close').click();
      await send(kenji, 'さようなら');
      await waitForMessage(kenji, 'さようなら');
      assert.equal(await note.isVisible(), false);
      await screenshot(alice, 'untranslated-reader.png');
    });

    test('on a phone, in Arabic: the explanation is one tap away, in place, right to left', { timeout: TEST_MS }, async () => {
      const room = 'phone-ar';
      const layla = await env.open({ ...PHONE_OPTIONS });
      await joinDirect(layla, env.server.url, { room, lang: 'ar', name: 'ليلى' });
      const sam = await env.open();
      await joinDirect(sam, env.server.url, { room, lang: 'en', name: 'Sam' });
      assert.equal(await layla.getAttribute('html', 'dir'), 'rtl');

      // Her own note: Arabic does not translate into English here.
      await layla.locator('#lang-note').waitFor();
      assert.match(await layla.textContent('#lang-note-text'), /هذا الخادم لا يترجم من العربية إلى الإنجليزية/);
      await assertInViewport(layla, layla.locator('#lang-note'), PHONE);

      await send(sam, 'Welcome to the team');
      await send(sam, 'Lunch at noon?');
      const first = await waitForMessage(layla, 'Welcome to the team');
      await waitForMessage(layla, 'Lunch at noon?');
      assert.equal(await layla.locator('#messages .untranslated:visible').count(), 1);
      assert.match(await first.locator('.error-marker').textContent(), /^لم تُترجم: هذا الخادم لا يترجم من الإنجليزية إلى العربية/);
      // The explanation opens in the message, without Settings.
      const why = first.locator('.why');
      await assertInViewport(layla, why, PHONE);
      await why.tap();
      await assertInViewport(layla, first.locator('.why-text'), PHONE);
      assert.match(await first.locator('.why-text').textContent(), /مرة واحدة لكل شخص ولغة/);
      assert.equal(await layla.getAttribute('#settings-toggle', 'aria-expanded'), 'false', 'Settings stayed closed');
      const overflow = await layla.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(layla, 'untranslated-phone-ar.png');
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
