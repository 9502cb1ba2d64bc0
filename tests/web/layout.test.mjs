// Nothing is cut off (issue 25, bug 10): the language picker in the header
// shows the whole label of the language chosen (in ja, whose mark for an
// untranslated language is long), the member strip on a phone never cuts a
// name at its edge, and the composer's placeholder fits a 390 px window,
// also one made that narrow after the page was drawn wide.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, DESKTOP, joinDirect, PHONE, PHONE_OPTIONS, screenshot, TEST_MS, throughTest, useServerAndBrowser,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

/** This server translates English and Spanish only: Japanese and Arabic get the "not translated" mark. */
const SMALL_GRAPH = { languages: { en: ['es'], es: ['en'] } };

/** How much of the select's chosen label does not fit its box (px; ≤ 0 when it fits). */
function selectShortfall(page, selector) {
  return page.$eval(selector, (select) => {
    const style = getComputedStyle(select);
    const probe = document.createElement('span');
    probe.style.font = style.font;
    probe.style.whiteSpace = 'pre';
    probe.style.position = 'absolute';
    probe.textContent = select.selectedOptions[0]?.textContent ?? '';
    document.body.append(probe);
    const text = probe.getBoundingClientRect().width;
    probe.remove();
    const inner = select.clientWidth - parseFloat(style.paddingInlineStart) - parseFloat(style.paddingInlineEnd);
    // The drop-down arrow takes about 1 em of the inner box.
    return text + parseFloat(style.fontSize) - inner;
  });
}

/** The composer's text area shows all of its placeholder. */
async function assertPlaceholderFits(page, label) {
  // The composer fits itself to its placeholder when the layout has settled (after a resize, a frame or two later).
  await page.waitForFunction(() => {
    const box = document.getElementById('composer');
    return box.scrollHeight <= box.clientHeight + 1;
  }, null, { timeout: 2_000 }).catch(() => {});
  const [scroll, client] = await page.$eval('#composer', (box) => [box.scrollHeight, box.clientHeight]);
  assert.ok(scroll <= client + 1, `${label}: the placeholder is cut (${scroll} > ${client})`);
  const placeholder = await page.getAttribute('#composer', 'placeholder');
  assert.ok(placeholder.length > 20, placeholder);
}

/** Every member shown in the strip is whole: its name not cut, its box inside the strip's width. */
async function assertMembersWhole(page, label) {
  const cut = await page.$$eval('#members .member', (items) => {
    const panel = document.getElementById('members-panel').getBoundingClientRect();
    return items.flatMap((item) => {
      const name = item.querySelector('.member-name');
      const box = item.getBoundingClientRect();
      const problems = [];
      if (name.scrollWidth > name.clientWidth + 1) problems.push('name overflows');
      if (box.left < panel.left - 0.5 || box.right > panel.right + 0.5) problems.push('past the strip\'s edge');
      const style = getComputedStyle(item.closest('#members-panel'));
      if (style.maskImage !== 'none' && /to (left|right)/.test(style.maskImage)) problems.push('faded sideways');
      return problems.length ? [`${name.textContent}: ${problems.join(', ')}`] : [];
    });
  });
  assert.deepEqual(cut, [], `${label}: members cut`);
}

if (browserAvailable('layout')) {
  describe('nothing is cut off', { timeout: 150_000 }, () => {
    const env = useServerAndBrowser();

    for (const lang of ['ja', 'ar']) {
      test(`desktop, ${lang}: the language picker shows the whole label of the language chosen`, { timeout: TEST_MS }, async () => {
        const page = await env.open({ locale: lang });
        await page.route('**/config.json', (route) => route.fulfill({ json: SMALL_GRAPH }));
        await joinDirect(page, env.server.url, { room: `picker-${lang}`, lang, name: lang === 'ja' ? '翔太' : 'ليلى' });
        const label = await page.$eval('#lang-switch', (s) => s.selectedOptions[0].textContent);
        assert.match(label, lang === 'ja' ? /^日本語 \(ja\) — このサーバーでは翻訳なし$/ : /^العربية \(ar\) — /);
        const shortfall = await selectShortfall(page, '#lang-switch');
        assert.ok(shortfall <= 0, `${lang}: "${label}" is cut by ${shortfall.toFixed(1)} px`);
        await screenshot(page, `layout-picker-${lang}.png`);
        // Still inside the window.
        const box = await page.locator('#lang-switch').boundingBox();
        assert.ok(box.x >= 0 && box.x + box.width <= DESKTOP.width, JSON.stringify(box));
      });
    }

    test('phone, ja: the language picker in the settings shows the whole label too', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'ja', ...PHONE_OPTIONS });
      await page.route('**/config.json', (route) => route.fulfill({ json: SMALL_GRAPH }));
      await joinDirect(page, env.server.url, { room: 'picker-phone', lang: 'ja', name: '翔太' });
      await page.click('#settings-toggle');
      const shortfall = await selectShortfall(page, '#lang-switch');
      assert.ok(shortfall <= 0, `cut by ${shortfall.toFixed(1)} px`);
      const box = await page.locator('#lang-switch').boundingBox();
      assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, JSON.stringify(box));
      await screenshot(page, 'layout-picker-ja-phone.png');
    });

    for (const lang of ['es', 'ar', 'ja']) {
      test(`phone, ${lang}: the member strip never cuts a name at its edge`, { timeout: TEST_MS }, async () => {
        const page = await env.open({ locale: lang, ...PHONE_OPTIONS });
        const room = `strip-${lang}`;
        const tap = await throughTest(page);
        await joinDirect(page, env.server.url, { room, lang, name: 'Pia' });
        await page.locator('#members .member').first().waitFor();
        tap.drop = (frame) => frame.action === 'members';
        const names = ['Bruno Esteban', 'ليلى الحسيني', '翔太郎', 'Marie-Christine Dubois', 'Zoë Papadopoulou',
          'Wiremu Te Rangi', 'Aleksandra Wiśniewska', 'Nguyễn Thị Minh Khai'];
        tap.inject({
          type: 'joined', connectionId: 'x', room, lang, name: 'Pia', count: names.length + 1,
          members: [{ name: 'Pia', lang }, ...names.map((name, i) => ({ name, lang: ['es', 'ar', 'ja', 'fr'][i % 4] }))],
          next: null,
        });
        await page.locator('#members .member').nth(names.length).waitFor();
        await assertMembersWhole(page, lang);
        // The strip stays small: at most a few lines above the conversation.
        const panel = await page.locator('#members-panel').boundingBox();
        assert.ok(panel.height < PHONE.height / 6, `the strip is ${panel.height}px tall`);
        // Those that do not fit are a scroll away, and the strip says so.
        await page.locator('#members-panel[data-more="true"]').waitFor();
        await page.$eval('#members-panel', (node) => { node.scrollTop = node.scrollHeight; });
        await page.locator('#members-panel[data-more="false"]').waitFor();
        await page.locator('#members .member').last().scrollIntoViewIfNeeded();
        await assertMembersWhole(page, `${lang}, scrolled`);
        await screenshot(page, `layout-members-${lang}.png`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      });
    }

    test('390 px: the composer shows its whole placeholder in every language, also after a resize', { timeout: TEST_MS * 2 }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await joinDirect(page, env.server.url, { room: 'narrow', lang: 'en', name: 'Nell' });
      await assertPlaceholderFits(page, 'en, 1280 px');
      await page.setViewportSize({ width: 390, height: 700 });
      await assertPlaceholderFits(page, 'en, resized to 390 px');
      await screenshot(page, 'layout-composer-390.png');
      for (const lang of ['de', 'fr', 'es', 'ja', 'ar', 'ko', 'he']) {
        await page.selectOption('#lang-switch', lang).catch(async () => {
          await page.click('#settings-toggle');
          await page.selectOption('#lang-switch', lang);
        });
        await page.waitForFunction((code) => document.documentElement.lang === code, lang);
        await page.locator('#status[data-state="online"]').waitFor();
        await assertPlaceholderFits(page, `${lang}, 390 px`);
      }
      const phone = await env.open({ locale: 'de', ...PHONE_OPTIONS });
      await joinDirect(phone, env.server.url, { room: 'narrow', lang: 'de', name: 'Udo' });
      await assertPlaceholderFits(phone, 'de, phone');
      // Typing and clearing keep it whole.
      await phone.fill('#composer', 'x');
      await phone.fill('#composer', '');
      await assertPlaceholderFits(phone, 'de, phone, after typing');
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
