// Languages (issue 13, page items 1, 2 and 8): the list says which
// languages the running engine translates, sorted as shown and found by
// typing; the interface speaks the reader's language, right to left where
// that language is written so; a pivot is named. Also makes the README's
// screenshot, with real Apertium translations (docs/screenshot.png only with
// HONYAKU_UPDATE_SCREENSHOT=1).
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, openPage, REPO, screenshot, send, TEST_MS, useServerAndBrowser,
  waitForMessage,
} from './helpers.mjs';
import { apertiumAvailable, browserAvailable } from './prereq.mjs';

const APERTIUM = ['en', 'es', 'pt', 'fr', 'ca', 'it'];

/** The options of #lang as {code, text, group}. */
function languageOptions(page) {
  return page.$$eval('#lang option', (options) => options.map((o) => ({
    code: o.value, text: o.textContent, group: o.parentElement.tagName === 'OPTGROUP' ? o.parentElement.label : '',
  })));
}

if (browserAvailable('languages') && apertiumAvailable('languages')) {
  describe('languages with Apertium', { timeout: 90_000 }, () => {
    const env = useServerAndBrowser({ args: ['--translator', 'apertium'] });

    test('the list marks what Apertium cannot translate, before anyone picks it', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await openPage(page, new URL('/?room=langs', env.server.url).href);
      const options = await languageOptions(page);
      const translated = options.filter((o) => o.group === 'Translated here').map((o) => o.code);
      // Apertium translates between six, and into three regional variants of them.
      assert.deepEqual([...translated].sort(), [...APERTIUM, 'es-MX', 'fr-CA', 'pt-PT'].sort());
      const ja = options.find((o) => o.code === 'ja');
      assert.equal(ja.group, 'Not translated by this server');
      assert.match(ja.text, /^日本語 \(ja\) — not translated here$/);
      assert.equal(options.length, 75, 'every language is still there');
      assert.match(await page.textContent('#lang-hint'), /translates 6 languages/);
      // Into pt-PT only: said so (in Portuguese, as the form now speaks it).
      await page.selectOption('#lang', 'pt-PT');
      await page.locator('#lang-hint', {
        hasText: 'traduzidas para Português (Portugal) (pt-PT), mas este servidor não traduz a partir dele',
      }).waitFor();

      // Picking one says what it means, next to the list (Kiswahili: no string table, English stays).
      await page.selectOption('#lang', 'sw');
      await page.locator('#lang-hint[data-warn="true"]', { hasText: 'Kiswahili (sw) is not translated by this server' }).waitFor();

      // Typing finds a language by its own name, its code, or its name in the interface language.
      await page.fill('#lang-find', 'klingon');
      assert.match(await page.textContent('#lang-error'), /No language matches “klingon”/);
      for (const [query, code] of [['japan', 'ja'], ['日本', 'ja'], ['portu', 'pt'], ['fr-CA', 'fr-CA']]) {
        await page.fill('#lang-find', query);
        assert.equal(await page.inputValue('#lang'), code, `typing "${query}"`);
      }
      await page.fill('#lang-find', '');
      assert.equal((await languageOptions(page)).length, 75);
      // Once found, the form speaks the language found.
      await page.fill('#lang-find', 'japan');
      await page.press('#lang-find', 'Tab');
      await page.locator('#join-button', { hasText: '参加' }).waitFor();
      assert.equal(await page.inputValue('#lang'), 'ja');
      await page.locator('#lang-hint', { hasText: '日本語 (ja) はこのサーバーでは翻訳されません' }).waitFor();
    });

    test('a pivot is named ("via Spanish"), and the README screenshot', { timeout: TEST_MS }, async () => {
      const alice = await env.open({ locale: 'en-US' });
      await joinDirect(alice, env.server.url, { room: 'team', lang: 'en', name: 'Alice' });
      const bruno = await env.open({ locale: 'pt-BR' });
      await joinDirect(bruno, env.server.url, { room: 'team', lang: 'pt', name: 'Bruno' });
      const carla = await env.open({ locale: 'es-ES' });
      await joinDirect(carla, env.server.url, { room: 'team', lang: 'es', name: 'Carla' });

      await send(alice, 'Good morning! The meeting is at ten.');
      const forBruno = bruno.locator('#messages .message[data-id]', { hasText: 'Alice' }).last();
      await forBruno.waitFor();
      assert.equal(await forBruno.locator('.engine').getAttribute('data-via'), 'es');
      assert.match(await forBruno.locator('.engine').textContent(), /apertium via espanhol/i);
      await send(bruno, 'Obrigado, até logo.');
      const forAlice = alice.locator('#messages .message[data-id]', { hasText: 'Bruno' }).last();
      await forAlice.waitFor();
      assert.match(await forAlice.locator('.engine').textContent(), /^by apertium via Spanish$/);
      // Carla answers Alice's line as a reply; Bruno and Carla react to it.
      const forCarla = carla.locator('#messages .message[data-id]', { hasText: 'Alice' }).last();
      await forCarla.locator('.reply-button').click();
      await send(carla, 'Perfecto, allí estaré.');
      const direct = alice.locator('#messages .message[data-id]', { hasText: 'Carla' }).last();
      await direct.waitFor();
      assert.equal(await direct.locator('.engine').textContent(), 'by apertium', 'no pivot, none named');
      assert.equal(await direct.locator('.reply-quote-name').textContent(), 'In reply to Alice');
      await send(alice, 'See you there, Carla.');
      await waitForMessage(alice, 'See you there, Carla.');
      await carla.locator('.message.mention').waitFor();
      for (const [page, emoji] of [[bruno, '👍'], [carla, '🎉']]) {
        const item = page.locator('#messages .message[data-id]', { hasText: 'Alice' }).first();
        await item.locator('.react-add').click();
        await page.locator(`#react-picker .react-pick[data-emoji="${emoji}"]`).click();
      }
      const good = alice.locator('#messages .message[data-id]', { hasText: 'Good morning' }).first();
      await good.locator('.reaction[data-emoji="🎉"]').waitFor();
      // Alice puts Bruno's line better in English: "corrected by Alice", for every English reader.
      await forAlice.locator('.amend-suggest').click();
      await alice.locator('.amend-editor textarea').fill('Thanks, see you soon.');
      await alice.keyboard.press('Enter');
      const corrected = await waitForMessage(alice, 'Thanks, see you soon.');
      assert.equal(await corrected.locator('.amend-corrected').textContent(), 'corrected by Alice');

      // README: Alice's view: a reply, reactions, a correction, the original
      // of Bruno's message open. It goes to target/web/readme.png;
      // docs/screenshot.png (tracked) is rewritten only when asked, so a test
      // run leaves the checkout as it found it.
      await corrected.locator('.toggle-original').click();
      await alice.mouse.move(0, 0);
      const shot = await screenshot(alice, 'readme.png');
      if (process.env.HONYAKU_UPDATE_SCREENSHOT === '1') {
        copyFileSync(shot, join(REPO, 'docs', 'screenshot.png'));
      }
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}

if (browserAvailable('interface language')) {
  describe('the interface in the reader\'s language', { timeout: 90_000 }, () => {
    const env = useServerAndBrowser();

    test('ja: every word of the interface is Japanese', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await joinDirect(page, env.server.url, { room: 'ja-room', lang: 'ja', name: '翔太' });
      assert.equal(await page.getAttribute('html', 'lang'), 'ja');
      assert.equal(await page.getAttribute('html', 'dir'), 'ltr');
      assert.equal(await page.textContent('#send-button'), '送信');
      assert.equal(await page.textContent('#status'), 'オンライン');
      assert.match(await page.getAttribute('#composer', 'placeholder'), /メッセージを入力/);
      assert.equal(await page.textContent('#settings-toggle'), '設定');
      assert.match(await page.textContent('#members-title'), /参加者 \(1\)/);
      assert.match(await page.textContent('#members .me'), /（あなた）/);
      // No English string of the interface is left anywhere on the page.
      const english = await (await page.request.get(new URL('/i18n/en.json', env.server.url).href)).json();
      const japanese = await (await page.request.get(new URL('/i18n/ja.json', env.server.url).href)).json();
      const shown = await page.evaluate(() => document.body.innerText
        + [...document.querySelectorAll('[placeholder], [aria-label], [title]')]
          .map((n) => `${n.getAttribute('placeholder')} ${n.getAttribute('aria-label')} ${n.getAttribute('title')}`).join(' '));
      for (const [key, value] of Object.entries(english)) {
        if (typeof value !== 'string' || value.includes('{') || value === japanese[key]) continue;
        assert.ok(!shown.includes(value), `"${value}" (${key}) is shown in English`);
      }
      // Errors too: a bad room in Settings, next to the field.
      await page.fill('#room-switch', 'no spaces');
      await page.click('#room-switch-button');
      assert.match(await page.textContent('#room-switch-error'), /ルーム：英字、数字/);
      await screenshot(page, 'ui-ja.png');
    });

    test('ar: right to left, in Arabic; my messages sit on the left', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await joinDirect(page, env.server.url, { room: 'ar-room', lang: 'ar', name: 'سلمى' });
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      assert.equal(await page.getAttribute('html', 'lang'), 'ar');
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).direction), 'rtl');
      assert.equal(await page.textContent('#send-button'), 'إرسال');
      await send(page, 'مرحبا بالجميع');
      const own = await waitForMessage(page, 'مرحبا بالجميع');
      const width = page.viewportSize().width;
      const box = await own.boundingBox();
      assert.ok(box.x + box.width < width / 2, `my message is on the left in RTL (${JSON.stringify(box)})`);
      const sendBox = await page.locator('#send-button').boundingBox();
      const composer = await page.locator('#composer').boundingBox();
      assert.ok(sendBox.x < composer.x, 'the send button is at the start (left) of the composer');
      const panel = await page.locator('#members-panel').boundingBox();
      assert.ok(panel.x < width / 2, 'the member list is on the left');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(page, 'ui-ar-rtl.png');
    });

    test('a right-to-left name keeps an English line in order (isolated in <bdi>)', { timeout: TEST_MS }, async () => {
      const nora = await env.open({ locale: 'en-US' });
      await joinDirect(nora, env.server.url, { room: 'bidi', lang: 'en', name: 'Nora' });
      const layla = await env.open();
      await joinDirect(layla, env.server.url, { room: 'bidi', lang: 'ar', name: 'ليلى' });
      const line = nora.locator('#messages .presence', { hasText: 'joined' }).last();
      await line.waitFor();
      assert.equal(await line.textContent(), 'ليلى joined · العربية (ar) · 2 in the room');
      // Laid out left to right, in the order written: the name, then "joined", then the language.
      const order = await line.evaluate((li) => {
        const left = (node) => {
          const range = document.createRange();
          range.selectNodeContents(node);
          return range.getBoundingClientRect().left;
        };
        const [name, lang] = li.querySelectorAll('bdi');
        return { dir: getComputedStyle(li).direction, name: left(name), joined: left(name.nextSibling), lang: left(lang) };
      });
      assert.equal(order.dir, 'ltr');
      assert.ok(order.name < order.joined && order.joined < order.lang, JSON.stringify(order));
      // A message that starts with her name is still an English line; "@" stays before the name.
      await send(nora, '@ليلى thanks for the notes');
      const mine = (await waitForMessage(nora, '@ليلى thanks for the notes')).locator('.text');
      assert.equal(await mine.evaluate((p) => p.matches(':dir(ltr)')), true, 'an English line, left to right');
      assert.equal(await mine.locator('bdi.mention-name').textContent(), 'ليلى');
      const at = await mine.evaluate((p) => {
        const range = document.createRange();
        range.setStart(p.firstChild, 0);
        range.setEnd(p.firstChild, 1);
        return range.getBoundingClientRect().left < p.querySelector('bdi').getBoundingClientRect().left;
      });
      assert.ok(at, '"@" is drawn before (left of) the name');
      // "ليلى is typing…" and my own name in the header too.
      await layla.fill('#composer', 'مرحبا');
      await nora.locator('#typing bdi', { hasText: 'ليلى' }).waitFor();
      assert.equal(await layla.locator('#me-name bdi').first().textContent(), 'ليلى');
    });

    test('he, fa, fa-AF and ur are right to left too; others left to right', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      const cases = [['he', 'rtl', 'he'], ['fa', 'rtl', 'fa'], ['fa-AF', 'rtl', 'fa'], ['ur', 'rtl', 'ur'],
        ['pt-PT', 'ltr', 'pt'], ['ko', 'ltr', 'ko'], ['zh-TW', 'ltr', 'zh'], ['sw', 'ltr', 'en']];
      for (const [lang, dir, table] of cases) {
        await openPage(page, new URL(`/?room=dirs&lang=${lang}`, env.server.url).href);
        assert.equal(await page.getAttribute('html', 'dir'), dir, lang);
        assert.equal(await page.getAttribute('html', 'lang'), table, lang);
      }
    });

    test('the join form follows the language being picked; Settings switch it live', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await openPage(page, new URL('/?room=live', env.server.url).href);
      assert.equal(await page.textContent('#join-button'), 'Join');
      await page.selectOption('#lang', 'de');
      await page.locator('#join-button', { hasText: 'Beitreten' }).waitFor();
      await page.fill('#name', 'Dana');
      await page.click('#join-button');
      await page.locator('#status', { hasText: 'Online' }).waitFor();
      await page.evaluate(() => { window.sameDocument = true; });
      await page.selectOption('#lang-switch', 'ko');
      await page.locator('#send-button', { hasText: '보내기' }).waitFor();
      assert.equal(await page.getAttribute('html', 'lang'), 'ko');
      // Issue 25 item 12: the line saying so is in the new language, not the old.
      await page.locator('#messages .system', { hasText: '이제 한국어 (ko)(으)로 읽습니다.' }).waitFor();
      assert.equal(await page.locator('#messages .system', { hasText: 'Du liest jetzt' }).count(), 0);
      assert.equal(await page.evaluate(() => window.sameDocument), true);
    });

    test('config.json "languages": "all" marks nothing', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await page.route('**/config.json', (route) => route.fulfill({
        contentType: 'application/json', body: JSON.stringify({ ws: '', languages: 'all' }),
      }));
      await openPage(page, new URL('/?room=all', env.server.url).href);
      const options = await languageOptions(page);
      assert.equal(options.length, 75);
      assert.ok(options.every((o) => o.group === '' && !o.text.includes('—')));
      // Sorted by the name as shown.
      const labels = options.map((o) => o.text);
      const sorted = [...labels].sort(new Intl.Collator('en', { sensitivity: 'base' }).compare);
      assert.deepEqual(labels, sorted);
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
