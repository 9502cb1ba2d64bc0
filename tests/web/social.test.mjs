// Replies and reactions (issue 25, features 1 and 2; protocol v1.2): Reply
// on a message (by keyboard too) shows it above the composer, Escape
// cancels; the reply quotes the original in each reader's language; a
// click on the quote finds the original, loading earlier history when it
// is not shown, and highlights it. Reactions: a picker of common emoji and
// any emoji typed, counts under the message, mine pressed, a click
// toggles, and a reload brings them back from `history`. In es and en on a
// desktop, and ar (right to left) on a phone.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  assertInViewport, assertNoProblems, DESKTOP, joinDirect, messageWithText, PHONE, PHONE_OPTIONS, screenshot, send,
  TEST_MS, throughTest, useServerAndBrowser, waitForMessage, waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

/** The quote above a reply item: who and what, as shown, and the language of the text. */
function quoteOf(item) {
  return item.locator('.reply-quote').evaluate((quote) => ({
    name: quote.querySelector('.reply-quote-name bdi').textContent,
    text: quote.querySelector('.reply-quote-text').textContent,
    lang: quote.querySelector('.reply-quote-text').lang,
    markup: quote.querySelectorAll('.reply-quote-text *:not(code)').length,
    to: quote.dataset.replyTo,
  }));
}

/** The chips under a message: [emoji, count, pressed]. */
function chips(item) {
  return item.locator('.reaction').evaluateAll((buttons) => buttons.map((b) => [
    b.dataset.emoji, b.querySelector('.reaction-count').textContent, b.getAttribute('aria-pressed'),
  ]));
}

/** Wait until the chips of `item` are `expected`. */
async function waitChips(item, expected) {
  const deadline = Date.now() + 5000;
  let seen;
  while (Date.now() < deadline) {
    seen = await chips(item);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    await new Promise((done) => setTimeout(done, 50));
  }
  assert.deepEqual(seen, expected, 'reaction chips');
}

const picker = (page) => page.locator('#react-picker');
const activeId = (page) => page.evaluate(() => document.activeElement?.id || document.activeElement?.className);

/** Send `lines` from a second connection in `room`, straight on the page's origin; the ids of the echoes. */
function bulk(page, room, frames) {
  return page.evaluate(async ([where, list]) => {
    const ws = new WebSocket(`ws://${location.host}/local?room=${where}&lang=en&name=Bot`);
    await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; setTimeout(fail, 5000); });
    const ids = [];
    for (const [i, frame] of list.entries()) {
      const echoed = new Promise((ok, fail) => {
        ws.onmessage = (event) => {
          const got = JSON.parse(event.data);
          if (got.type === 'message') ok(got.id);
          if (got.type === 'error') fail(new Error(`${got.code}: ${got.message}`));
        };
        setTimeout(() => fail(new Error(`no echo of frame ${i}`)), 5000);
      });
      const out = { action: 'translate', clientMsgId: `bulk-${i}`, ...frame };
      if (out.replyTo === 'FIRST') out.replyTo = ids[0];
      ws.send(JSON.stringify(out));
      ids.push(await echoed);
    }
    ws.close();
    return ids;
  }, [room, frames]);
}

if (browserAvailable('social')) {
  describe('replies and reactions', { timeout: 180_000 }, () => {
    const env = useServerAndBrowser();

    test('reply: by keyboard, Escape cancels, and each reader sees the quote in their language', { timeout: TEST_MS }, async () => {
      const room = 'reply-room';
      const ana = await env.open({ locale: 'en-US' });
      await joinDirect(ana, env.server.url, { room, lang: 'en', name: 'Ana' });
      const bea = await env.open({ locale: 'es' });
      const tap = await throughTest(bea);
      await joinDirect(bea, env.server.url, { room, lang: 'es', name: 'Bea' });
      await send(ana, 'good morning <b>all</b> `npm test`');
      const original = await waitForMessage(bea, '[es] good morning <b>all</b> npm test');
      const originalId = await original.getAttribute('data-id');

      const reply = original.locator('.reply-button');
      assert.equal(await reply.textContent(), 'Responder');
      await reply.focus();
      await bea.keyboard.press('Enter');
      assert.equal(await activeId(bea), 'composer');
      await bea.locator('#reply-bar').waitFor();
      assert.equal(await bea.textContent('#reply-bar-label'), 'Respondiendo a Ana');
      assert.equal(await bea.textContent('.reply-bar-text'), '[es] good morning <b>all</b> npm test');
      assert.match(await bea.getAttribute('#composer', 'aria-describedby'), /^reply-bar /);
      assert.equal(await bea.getAttribute('#reply-cancel', 'aria-label'), 'Cancelar la respuesta');
      await bea.keyboard.press('Escape');
      await bea.locator('#reply-bar').waitFor({ state: 'hidden' });
      assert.doesNotMatch(await bea.getAttribute('#composer', 'aria-describedby'), /reply-bar/);

      await reply.click();
      await bea.fill('#composer', 'hola');
      await bea.keyboard.press('Enter');
      await bea.locator('#reply-bar').waitFor({ state: 'hidden' });
      const sent = tap.sent.find((f) => f.action === 'translate' && f.text === 'hola');
      assert.equal(sent.replyTo, originalId, 'the frame says what it replies to');
      const mine = await waitForMessage(bea, 'hola');
      assert.deepEqual(await quoteOf(mine), {
        name: 'Ana', text: '[es] good morning <b>all</b> npm test', lang: 'es', markup: 0, to: originalId,
      });
      assert.equal(await mine.locator('.reply-quote code').textContent(), 'npm test');
      // Ana reads it in English, quoting her own words.
      const theirs = await waitForMessage(ana, '[en] hola');
      assert.match(await theirs.getAttribute('class'), /\bmention\b/, 'a reply to me calls me like a mention');
      assert.doesNotMatch(await mine.getAttribute('class'), /\bmention\b/);
      assert.deepEqual(await quoteOf(theirs), {
        name: 'Ana', text: 'good morning <b>all</b> npm test', lang: 'en', markup: 0, to: originalId,
      });
      await screenshot(bea, 'reply-es.png');

      // A quote of a message no longer in the history says so, quietly.
      tap.inject({
        type: 'message', room, id: `${originalId}z`, ts: Date.now(), lang: 'es', sourceLang: 'es', text: 'eco',
        from: { name: 'Ana' }, replyTo: { id: '00000000000000000000000000', from: { name: 'Ana' }, deleted: true },
      });
      const late = await waitForMessage(bea, 'eco');
      assert.equal(await late.locator('.reply-quote-text').textContent(), 'Este mensaje se eliminó.');
      await late.locator('.reply-quote').click();
      await bea.locator('.reply-note', { hasText: 'El mensaje al que responde ya no está en el historial.' }).waitFor();

      // Ana deletes her message: replies already on screen quote it as deleted, no text left.
      const hers = await waitForMessage(ana, 'good morning <b>all</b> npm test');
      await hers.locator('.amend-delete').click();
      await ana.click('#amend-delete-confirm');
      await mine.locator('.reply-quote-deleted').waitFor();
      assert.equal(await mine.locator('.reply-quote-text').textContent(), 'Este mensaje se eliminó.');
      await theirs.locator('.reply-quote-deleted').waitFor();
    });

    test('the quote leads to the original, loading earlier history, and highlights it', { timeout: TEST_MS }, async () => {
      const room = 'reply-far';
      const writer = await env.open({ locale: 'en-US' });
      await joinDirect(writer, env.server.url, { room, lang: 'en', name: 'Wes' });
      const frames = [{ text: 'the original' }, ...Array.from({ length: 55 }, (_, i) => ({ text: `filler ${i + 1}` })),
        { text: 'the reply', replyTo: 'FIRST' }];
      // A reader of Spanish is there as they are sent (so each has its Spanish translation), then reloads.
      const reader = await env.open({ locale: 'es' });
      await joinDirect(reader, env.server.url, { room, lang: 'es', name: 'Rut' });
      const ids = await bulk(writer, room, frames);
      await waitForMessage(reader, '[es] the reply');
      await reader.reload();
      await waitOnline(reader);
      const replyItem = await waitForMessage(reader, '[es] the reply');
      assert.deepEqual(await quoteOf(replyItem), { name: 'Bot', text: '[es] the original', lang: 'es', markup: 0, to: ids[0] });
      assert.equal(await messageWithText(reader, '[es] the original').count(), 0, 'not loaded yet');
      await replyItem.locator('.reply-quote').click();
      const original = await waitForMessage(reader, '[es] the original');
      await reader.locator(`#messages .message.reply-flash[data-id="${ids[0]}"]`).waitFor();
      assert.equal(await reader.evaluate(() => document.activeElement?.dataset.id), ids[0], 'focus moves to the original');
      await reader.waitForFunction((id) => {
        const item = document.querySelector(`#messages .message[data-id="${id}"]`).getBoundingClientRect();
        const list = document.getElementById('messages').getBoundingClientRect();
        return item.top >= list.top - 1 && item.bottom <= list.bottom + 1;
      }, ids[0]);
      await assertInViewport(reader, original, DESKTOP);
      // The highlight goes after a moment.
      await reader.locator('#messages .message.reply-flash').waitFor({ state: 'detached', timeout: 5000 });
    });

    test('reactions: picker by keyboard, any emoji typed, counts, mine pressed, toggles, back after a reload', { timeout: TEST_MS * 2 }, async () => {
      const room = 'react-room';
      const ana = await env.open({ locale: 'en-US' });
      await joinDirect(ana, env.server.url, { room, lang: 'en', name: 'Ana' });
      const bea = await env.open({ locale: 'es' });
      await joinDirect(bea, env.server.url, { room, lang: 'es', name: 'Bea' });
      await send(ana, 'react to me');
      const onAna = await waitForMessage(ana, 'react to me');
      const onBea = await waitForMessage(bea, '[es] react to me');

      const add = onBea.locator('.react-add');
      assert.equal(await add.getAttribute('aria-label'), 'Añadir una reacción');
      await add.focus();
      await bea.keyboard.press('Enter');
      await bea.locator('#react-picker:popover-open').waitFor();
      assert.equal(await add.getAttribute('aria-expanded'), 'true');
      assert.equal(await bea.evaluate(() => document.activeElement.dataset.emoji), '👍');
      assert.equal(await bea.textContent('#react-picker-title'), 'Reaccionar con');
      await bea.keyboard.press('ArrowRight');
      assert.equal(await bea.evaluate(() => document.activeElement.getAttribute('aria-label')), 'Reaccionar con ❤️');
      await bea.keyboard.press('Enter');
      await picker(bea).waitFor({ state: 'hidden' });
      assert.equal(await bea.evaluate(() => document.activeElement.classList.contains('react-add')), true, 'focus back');
      await waitChips(onBea, [['❤️', '1', 'true']]);
      await waitChips(onAna, [['❤️', '1', 'false']]);
      assert.equal(await onBea.locator('.reaction').getAttribute('aria-label'), '❤️: 1 reacción');

      // Ana joins in with a click on the chip.
      await onAna.locator('.reaction').click();
      await waitChips(onAna, [['❤️', '2', 'true']]);
      await waitChips(onBea, [['❤️', '2', 'true']]);

      // Any emoji, typed in; something else is refused with a sentence.
      await add.click();
      await bea.fill('#react-other', 'ab');
      await bea.keyboard.press('Enter');
      assert.equal(await bea.textContent('#react-other-error'), 'Escribe un solo emoji, como 👍.');
      assert.equal(await bea.getAttribute('#react-other', 'aria-invalid'), 'true');
      await bea.fill('#react-other', ' 🦀 ');
      await bea.keyboard.press('Enter');
      await waitChips(onBea, [['❤️', '2', 'true'], ['🦀', '1', 'true']]);
      await waitChips(onAna, [['❤️', '2', 'true'], ['🦀', '1', 'false']]);

      // Escape closes the picker, focus back on its button.
      await add.click();
      await bea.locator('#react-picker:popover-open').waitFor();
      await bea.keyboard.press('Escape');
      await picker(bea).waitFor({ state: 'hidden' });
      assert.equal(await bea.evaluate(() => document.activeElement.classList.contains('react-add')), true);
      // The popover's `toggle` event, which says so, comes a task after it closed.
      await bea.waitForFunction((el) => el.getAttribute('aria-expanded') === 'false', await add.elementHandle());

      // A click on my chip takes mine back.
      await onBea.locator('.reaction[data-emoji="❤️"]').click();
      await waitChips(onBea, [['❤️', '1', 'false'], ['🦀', '1', 'true']]);
      await waitChips(onAna, [['❤️', '1', 'true'], ['🦀', '1', 'false']]);
      await screenshot(bea, 'reactions-es.png');

      // History brings them back, mine still mine.
      await bea.reload();
      await waitOnline(bea);
      await waitChips(await waitForMessage(bea, '[es] react to me'), [['❤️', '1', 'false'], ['🦀', '1', 'true']]);
      // Ana taking hers back removes the chip everywhere.
      await onAna.locator('.reaction[data-emoji="❤️"]').click();
      await waitChips(messageWithText(bea, '[es] react to me'), [['🦀', '1', 'true']]);
    });

    test('phone, ar: right to left; the picker, the reply bar and the quote fit the screen', { timeout: TEST_MS }, async () => {
      const room = 'ar-social';
      const page = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
      await joinDirect(page, env.server.url, { room, lang: 'ar', name: 'ليلى' });
      const other = await env.open({ locale: 'en-US' });
      await joinDirect(other, env.server.url, { room, lang: 'en', name: 'Sam' });
      await send(other, 'see you at the station at 9');
      const item = await waitForMessage(page, '[ar] see you at the station at 9');
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      assert.equal(await item.locator('.reply-button').textContent(), 'ردّ');
      await item.locator('.reply-button').click();
      await page.locator('#reply-bar').waitFor();
      assert.equal(await page.textContent('#reply-bar-label'), 'ردّ على Sam');
      await assertInViewport(page, page.locator('#reply-bar'), PHONE);
      await page.fill('#composer', 'حسنًا');
      await page.click('#send-button');
      const reply = await waitForMessage(page, 'حسنًا');
      const quote = reply.locator('.reply-quote');
      assert.equal(await quote.evaluate((q) => getComputedStyle(q).borderRightWidth), '3px', 'the quote\'s bar is at the start (right)');
      await assertInViewport(page, quote, PHONE);

      await item.locator('.react-add').click();
      await page.locator('#react-picker:popover-open').waitFor();
      await assertInViewport(page, picker(page), PHONE);
      // Right to left, the next emoji is to the left.
      await page.keyboard.press('ArrowLeft');
      assert.equal(await page.evaluate(() => document.activeElement.dataset.emoji), '❤️');
      await screenshot(page, 'reactions-phone-ar-picker.png');
      await page.keyboard.press('Enter');
      await waitChips(item, [['❤️', '1', 'true']]);
      await assertInViewport(page, item.locator('.reaction'), PHONE);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
      await screenshot(page, 'reactions-phone-ar.png');
    });

    test('the download keeps what a message replies to and its reactions', { timeout: TEST_MS }, async () => {
      const room = 'social-export';
      const ana = await env.open({ locale: 'en-US' });
      await joinDirect(ana, env.server.url, { room, lang: 'en', name: 'Ana' });
      const rosa = await env.open({ locale: 'es-ES', acceptDownloads: true });
      await joinDirect(rosa, env.server.url, { room, lang: 'es', name: 'Rosa' });
      await send(ana, 'Lunch at noon?');
      const question = await waitForMessage(rosa, '[es] Lunch at noon?');
      await question.locator('.reply-button').click();
      await send(rosa, 'Sí, perfecto');
      await waitForMessage(rosa, 'Sí, perfecto');
      await question.locator('.react-add').click();
      await rosa.locator('#react-picker .react-pick[data-emoji="🎉"]').click();
      await waitChips(question, [['🎉', '1', 'true']]);
      const toggle = rosa.locator('#settings-toggle');
      if (await toggle.isVisible()) await toggle.click();
      const fetchFile = async (button) => {
        const [file] = await Promise.all([rosa.waitForEvent('download'), rosa.click(button)]);
        return readFile(await file.path(), 'utf8');
      };
      const md = await fetchFile('#export-md');
      assert.match(md, /\[es\] Lunch at noon\?\n\n(?:> [^\n]*\n)+\n\*Reacciones:\* 🎉 1\n/);
      assert.match(md, /\*\*Rosa\*\* · [^\n]+ {2}\n> \*En respuesta a Ana:\* \[es\] Lunch at noon\?\n\nSí, perfecto\n/);
      const data = JSON.parse(await fetchFile('#export-json'));
      const [first, second] = data.messages;
      assert.deepEqual(first.reactions, [{ emoji: '🎉', count: 1 }]);
      assert.deepEqual(second.replyTo, { id: first.id, from: { name: 'Ana' }, text: '[es] Lunch at noon?' });
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
