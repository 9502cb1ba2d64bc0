// Export (issue 25, feature 6): "Download the conversation" as Markdown or
// JSON, in the reader's language with the originals beside it, built from
// `history` pages over the WebSocket (following `next`), with progress.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, PHONE_OPTIONS, screenshot, send, sleep, TEST_MS, throughTest, useServerAndBrowser,
  waitForMessage,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

async function openSettings(page) {
  const toggle = page.locator('#settings-toggle');
  if (await toggle.isVisible() && await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
}

async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(button)]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

if (browserAvailable('export')) {
  describe('download the conversation', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('Markdown and JSON from the real server: my language, originals beside', { timeout: TEST_MS }, async () => {
      const room = 'export-real';
      const writer = await env.open();
      await joinDirect(writer, env.server.url, { room, lang: 'en', name: 'Will' });
      await send(writer, 'Hello there');
      await send(writer, 'Second line\nwith a break');
      const reader = await env.open({ locale: 'es-ES', acceptDownloads: true });
      await joinDirect(reader, env.server.url, { room, lang: 'es', name: 'Rosa' });
      await send(reader, 'Hola');
      await waitForMessage(reader, 'Hola');
      await openSettings(reader);

      const md = await download(reader, '#export-md');
      assert.match(md.name, /^honyaku-export-real-\d{4}-\d\d-\d\d\.md$/);
      assert.match(md.text, /^# Sala export-real — honyaku\n/);
      assert.match(md.text, /leído en Español \(es\)/);
      // The pseudo translator writes "[es] …"; the original is quoted under it.
      assert.match(md.text, /\*\*Will\*\* · [^\n]+ {2}\n\[es\] Hello there\n\n> \*Texto original, English \(en\):\* {2}\n> Hello there {2}\n/);
      assert.match(md.text, /> Second line {2}\n> with a break {2}\n/);
      assert.match(md.text, /\*\*Rosa\*\* · [^\n]+ {2}\nHola\n/);
      assert.ok(md.text.indexOf('Hello there') < md.text.indexOf('Hola'), 'oldest first');
      await reader.locator('#export-status', { hasText: 'Descargados: 3 mensajes.' }).waitFor();

      const json = await download(reader, '#export-json');
      assert.match(json.name, /\.json$/);
      const data = JSON.parse(json.text);
      assert.equal(data.room, room);
      assert.equal(data.lang, 'es');
      assert.deepEqual(data.messages.map((m) => [m.from.name, m.text, m.original]), [
        ['Will', '[es] Hello there', 'Hello there'],
        ['Will', '[es] Second line\nwith a break', 'Second line\nwith a break'],
        ['Rosa', 'Hola', undefined], // written in Spanish: no original to add
      ]);
      assert.ok(data.messages.every((m) => typeof m.id === 'string' && Number.isFinite(m.ts)));
      assertNoProblems(env.pages);
    });

    test('a long room: every page followed by `next`, a progress count, phone in ar', { timeout: TEST_MS }, async () => {
      const room = 'export-long';
      const page = await env.open({ locale: 'ar', acceptDownloads: true, ...PHONE_OPTIONS });
      const tap = await throughTest(page);
      await joinDirect(page, env.server.url, { room, lang: 'ar', name: 'ليلى' });
      // The page's own first history request goes to the server; only the export's are answered here.
      for (let i = 0; i < 50 && !tap.sent.some((frame) => frame.action === 'history'); i += 1) await sleep(100);
      await page.waitForFunction(() => !document.getElementById('load-earlier').disabled); // its reply came
      // Three pages of 100 answered by the test; the second waits until the count was seen.
      const asked = [];
      let release;
      const seen = new Promise((done) => { release = done; });
      tap.drop = (frame) => {
        if (frame.action !== 'history') return false;
        asked.push(frame);
        const index = asked.length - 1; // 0: newest page
        const messages = Array.from({ length: 100 }, (_, i) => {
          const n = (2 - index) * 100 + i; // 0..299 oldest first overall
          return {
            type: 'message', id: `01B${String(n).padStart(23, '0')}`, room, ts: 1_760_000_000_000 + n * 1000,
            from: { name: 'سامي' }, sourceLang: 'en', lang: 'ar', text: `رسالة ${n}`, original: `message ${n}`,
          };
        });
        const reply = { type: 'history', room, lang: 'ar', messages, next: index < 2 ? `cursor-${index + 1}` : null };
        (index === 1 ? seen : Promise.resolve()).then(() => tap.inject(reply));
        return true;
      };
      await openSettings(page);
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        (async () => {
          await page.click('#export-json');
          await page.locator('#export-progress').waitFor();
          await page.locator('#export-status', { hasText: 'تم تحميل 100 رسالة' }).waitFor();
          assert.equal(await page.isDisabled('#export-json'), true, 'one export at a time');
          await screenshot(page, 'export-phone-ar.png');
          release();
        })(),
      ]);
      const data = JSON.parse(await readFile(await file.path(), 'utf8'));
      assert.deepEqual(asked.map((frame) => frame.before ?? null), [null, 'cursor-1', 'cursor-2']);
      assert.ok(asked.every((frame) => frame.limit === 100));
      assert.equal(data.messages.length, 300);
      assert.deepEqual(data.messages.slice(0, 2).map((m) => m.text), ['رسالة 0', 'رسالة 1']);
      assert.equal(data.messages[299].original, 'message 299');
      await page.locator('#export-progress').waitFor({ state: 'hidden' });
      assert.equal(await page.isDisabled('#export-json'), false);
      // The conversation on screen was left alone.
      assert.equal(await page.locator('#messages .message').count(), 0);
      assertNoProblems(env.pages);
    });
  });
}
