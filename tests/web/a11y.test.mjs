// Accessibility (issue 25, "Done when"): axe-core, run inside the page,
// finds no violations in the join view (with rooms you came from) and the
// chat view (messages, settings open, search open, invite dialog; issue 24:
// the edit and correction editors, the delete dialog, the glossary; a
// reply, reactions and the reactions picker), on a
// desktop in en and a phone in ar. The contexts bypass the page's CSP only
// so the test can inject axe itself.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinByForm, joinDirect, openPage, PHONE_OPTIONS, rawSocket, send, TEST_MS,
  useServerAndBrowser, waitForMessage,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** axe's violations in the page as it is now, one line each. */
async function violations(page) {
  if (!await page.evaluate(() => 'axe' in window)) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return found;
}

async function openSettings(page) {
  const toggle = page.locator('#settings-toggle');
  if (await toggle.isVisible() && await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
}

async function checkViews(page, env, { room, lang, name }) {
  await joinByForm(page, env.server.url, { room, lang, name });
  // The room is remembered once the server's `joined` frame is in, which
  // may come after the socket is online: leave only then.
  await page.waitForFunction((r) => (localStorage.getItem('honyaku.recent') ?? '').includes(`"${r}"`), room);
  await openSettings(page);
  await page.click('#leave-button');
  await page.locator('#recent-rooms').waitFor();
  assert.deepEqual(await violations(page), [], 'join view');

  await joinDirect(page, env.server.url, { room, lang, name });
  await send(page, `hello from ${name}`);
  await waitForMessage(page, `hello from ${name}`);
  assert.deepEqual(await violations(page), [], 'chat view');
  await openSettings(page);
  assert.deepEqual(await violations(page), [], 'chat view, settings open');
  await page.click('#search-toggle');
  await page.fill('#search-input', 'hello');
  assert.deepEqual(await violations(page), [], 'chat view, searching');
  await page.click('#invite-button');
  await page.locator('#invite-dialog[open]').waitFor();
  assert.deepEqual(await violations(page), [], 'invite dialog');
  await page.keyboard.press('Escape');
  await page.click('.search-close'); // every message shows again
  await checkAmend(page, { room, name });
}

/** Issue 24: the editors in place, the delete dialog and the glossary. */
async function checkAmend(page, { room, name }) {
  const mine = page.locator('#messages .message.own', { hasText: `hello from ${name}` });
  await mine.locator('.amend-edit').click();
  await page.locator('.amend-editor textarea:focus').waitFor();
  assert.deepEqual(await violations(page), [], 'edit editor');
  await page.keyboard.press('Escape');
  await mine.locator('.amend-delete').click();
  await page.locator('#amend-delete-dialog[open]').waitFor();
  assert.deepEqual(await violations(page), [], 'delete dialog');
  await page.keyboard.press('Escape');

  await rawSocket(page, 'other', { room, lang: 'fr', name: 'Zoé' });
  await page.evaluate(() => window.other.send(JSON.stringify({ action: 'translate', text: 'Bonjour à tous' })));
  const theirs = page.locator('#messages .message:not(.own)', { hasText: 'Bonjour à tous' });
  await theirs.locator('.amend-suggest').click();
  await page.locator('.amend-editor textarea:focus').waitFor();
  assert.deepEqual(await violations(page), [], 'correction editor');
  await page.keyboard.press('Escape');

  await page.click('#glossary-button');
  await page.fill('#glossary-term', 'honyaku');
  await page.click('#glossary-add');
  await page.locator('#glossary-list .glossary-term').waitFor();
  await page.click('#glossary-add'); // twice: the refusal shows beside the form
  await page.locator('#glossary-error:not(:empty)').waitFor();
  assert.deepEqual(await violations(page), [], 'glossary dialog');
}

if (browserAvailable('a11y')) {
  describe('accessibility (axe-core)', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('desktop, en: no violations in the join and chat views', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US', bypassCSP: true });
      await openPage(page, env.server.url);
      assert.deepEqual(await violations(page), [], 'empty join view');
      await checkViews(page, env, { room: 'axe-desk', lang: 'en', name: 'Ada' });
      assertNoProblems(env.pages);
    });

    test('phone, ar: no violations in the join and chat views', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'ar', bypassCSP: true, ...PHONE_OPTIONS });
      await checkViews(page, env, { room: 'axe-phone', lang: 'ar', name: 'ليلى' });
      assertNoProblems(env.pages);
    });

    for (const [label, options, lang, name] of [
      ['desktop, en', { locale: 'en-US' }, 'en', 'Ada'], ['phone, ar', { locale: 'ar', ...PHONE_OPTIONS }, 'ar', 'ليلى'],
    ]) {
      test(`${label}: no violations with a reply, reactions and the reactions picker open`, { timeout: TEST_MS }, async () => {
        const page = await env.open({ ...options, bypassCSP: true });
        await joinDirect(page, env.server.url, { room: `axe-social-${lang}`, lang, name });
        await send(page, 'first');
        const first = await waitForMessage(page, 'first');
        await first.locator('.reply-button').click();
        await page.locator('#reply-bar').waitFor();
        assert.deepEqual(await violations(page), [], 'replying');
        await send(page, 'second');
        await (await waitForMessage(page, 'second')).locator('.reply-quote').waitFor();
        await first.locator('.react-add').click();
        await page.locator('#react-picker:popover-open').waitFor();
        assert.deepEqual(await violations(page), [], 'reactions picker');
        await page.keyboard.press('Enter');
        await first.locator('.reaction[aria-pressed="true"]').waitFor();
        await first.locator('.react-add').click();
        await page.fill('#react-other', 'no');
        await page.keyboard.press('Enter');
        await page.locator('#react-other-error:not(:empty)').waitFor();
        assert.deepEqual(await violations(page), [], 'reactions picker with an error, reaction chips');
        await page.keyboard.press('Escape');
        assertNoProblems(env.pages);
      });
    }
  });
}
