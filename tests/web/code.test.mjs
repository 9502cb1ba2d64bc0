// Inline code (issue 25, bug 13): `code` in a message shows as <code>,
// without its backticks, in the sender's page, in a reader's translation
// and in the original beside it. The code's text is text: markup in it is
// never parsed, a URL in it is no link, a mention in it is left alone.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, send, TEST_MS, useServerAndBrowser, waitForMessage,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const LINE = 'run `cargo test` then `` a ` b `` and `<img src=x onerror=alert(1)>` or `https://x.example` @Ana';

/** The code elements of the first message whose text (as shown) is `shown`, and what else is in it. */
function inspect(item) {
  return item.evaluate((li) => {
    const text = li.querySelector('.text');
    return {
      codes: [...text.querySelectorAll('code')].map((c) => c.textContent),
      shown: text.textContent,
      images: li.querySelectorAll('img').length,
      linksInCode: text.querySelectorAll('code a').length,
      mentionsInCode: text.querySelectorAll('code bdi').length,
      mentionsOutside: text.querySelectorAll(':scope > bdi.mention-name').length,
      font: getComputedStyle(text.querySelector('code')).fontFamily,
    };
  });
}

if (browserAvailable('code')) {
  describe('inline code', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser();

    test('shows as code, without backticks, for the sender and in a translation, safely', { timeout: TEST_MS }, async () => {
      const writer = await env.open({ locale: 'en-US' });
      await joinDirect(writer, env.server.url, { room: 'code', lang: 'en', name: 'Ana' });
      const reader = await env.open({ locale: 'es' });
      await joinDirect(reader, env.server.url, { room: 'code', lang: 'es', name: 'Bea' });
      await send(writer, LINE);

      const expectedCodes = ['cargo test', 'a ` b', '<img src=x onerror=alert(1)>', 'https://x.example'];
      const shown = 'run cargo test then a ` b and <img src=x onerror=alert(1)> or https://x.example @Ana';
      const mine = await inspect(await waitForMessage(writer, shown));
      assert.deepEqual(mine.codes, expectedCodes);
      assert.equal(mine.shown, shown, 'no backticks left');
      assert.equal(mine.images, 0, 'markup in code is text');
      assert.equal(mine.linksInCode, 0);
      assert.match(mine.font, /mono/i);
      assert.equal(mine.mentionsOutside, 1, 'the mention outside code is still isolated');

      // The reader's translation (the test translator prefixes "[es] ") and the original.
      const theirs = await waitForMessage(reader, `[es] ${shown}`);
      const translated = await inspect(theirs);
      assert.deepEqual(translated.codes, expectedCodes);
      assert.equal(translated.images, 0);
      await theirs.locator('.toggle-original').click();
      const original = await theirs.locator('.original-text').evaluate((p) => ({
        codes: [...p.querySelectorAll('code')].map((c) => c.textContent), shown: p.textContent,
      }));
      assert.deepEqual(original.codes, expectedCodes);
      assert.equal(original.shown, shown);
    });

    test('a lone or unbalanced backtick stays as written', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await joinDirect(page, env.server.url, { room: 'code-2', lang: 'en', name: 'Cy' });
      for (const text of ['it`s fine', 'a `` b', 'x ``y` z', '```']) {
        await send(page, text);
        const item = await waitForMessage(page, text);
        assert.equal(await item.locator('code').count(), 0, text);
      }
      await send(page, 'mention in code `@Cy` stays');
      const item = await waitForMessage(page, 'mention in code @Cy stays');
      assert.equal(await item.locator('code bdi').count(), 0);
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
