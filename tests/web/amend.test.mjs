// Edit, delete, corrections and the room glossary on the page (issue 24,
// item 5; protocol v1.2): with the keyboard, for a second reader, after a
// reload (history), on a phone in Arabic (RTL), and the glossary's
// conflict and admin-only refusals.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  assertInViewport, assertNoProblems, BIN, joinDirect, messageWithText, PHONE, PHONE_OPTIONS, screenshot, send,
  sleep, TEST_MS, throughTest, useServerAndBrowser, WAIT_MS, waitForMessage, waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const SECRET = 'a-page-test-token-secret-for-glossary-0123';

/** The page's socket through the test both ways: `hold(frame)` true keeps a server frame from the page. */
async function tapIncoming(page) {
  const tap = { hold: () => false };
  await page.routeWebSocket(/\/local(\?|$)/, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((message) => server.send(message));
    server.onMessage((message) => {
      let frame = null;
      try { frame = JSON.parse(message); } catch { /* not JSON */ }
      if (!frame || !tap.hold(frame)) ws.send(message);
    });
  });
  return tap;
}

/** Resolve once `check()` holds (polled), or fail after WAIT_MS. */
async function waitUntil(check) {
  const deadline = Date.now() + WAIT_MS;
  while (!check()) {
    assert.ok(Date.now() < deadline, 'waited too long');
    await sleep(20);
  }
}

const focusedClass = (page) => page.evaluate(() => document.activeElement?.className ?? '');

async function openGlossary(page) {
  const toggle = page.locator('#settings-toggle');
  if (await toggle.isVisible() && await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
  await page.click('#glossary-button');
  await page.locator('#glossary-dialog[open]').waitFor();
  await page.locator('#glossary-term:focus').waitFor();
}

async function addTerm(page, term, lang = '', as = '') {
  await page.fill('#glossary-term', term);
  await page.selectOption('#glossary-lang', lang);
  if (lang) await page.fill('#glossary-as', as);
  await page.click('#glossary-add');
}

const terms = (page) => page.locator('#glossary-list .glossary-term').allTextContents();

if (browserAvailable('amend')) {
  describe('edit, delete, correct, glossary', { timeout: 180_000 }, () => {
    const env = useServerAndBrowser();

    test('my own message: edit in place with the keyboard, delete after asking; others and history see it', { timeout: TEST_MS }, async () => {
      const room = 'amend-edit';
      const alice = await env.open();
      const tap = await throughTest(alice);
      await joinDirect(alice, env.server.url, { room, lang: 'en', name: 'Alice' });
      const bea = await env.open({ locale: 'es-ES' });
      await joinDirect(bea, env.server.url, { room, lang: 'es', name: 'Bea' });

      await send(alice, 'Hello tem');
      const mine = await waitForMessage(alice, 'Hello tem');
      await waitForMessage(bea, '[es] Hello tem');
      // Theirs offers no Edit or Delete; mine offers no correction.
      const theirs = messageWithText(bea, '[es] Hello tem');
      assert.equal(await theirs.locator('.amend-edit').isVisible(), false);
      assert.equal(await theirs.locator('.amend-delete').isVisible(), false);
      assert.equal(await mine.locator('.amend-suggest').count(), 0);

      // Escape cancels: the text stays, focus goes back to Edit.
      await mine.locator('.amend-edit').focus();
      await alice.keyboard.press('Enter');
      const input = alice.locator('.amend-editor textarea');
      await input.waitFor();
      assert.equal(await input.inputValue(), 'Hello tem');
      assert.equal(await alice.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
      assert.equal(await alice.getAttribute('.amend-editor label', 'for'), await input.getAttribute('id'));
      await alice.keyboard.press('End');
      await alice.keyboard.type('x');
      await alice.keyboard.press('Escape');
      await input.waitFor({ state: 'detached' });
      assert.equal(await mine.locator('.text').textContent(), 'Hello tem');
      assert.match(await focusedClass(alice), /amend-edit/);

      // A refusal says why beside the editor, which stays open.
      tap.drop = (frame) => frame.action === 'edit';
      await alice.keyboard.press('Enter');
      await alice.keyboard.press('Backspace');
      await alice.keyboard.press('Backspace');
      await alice.keyboard.type('eam');
      await alice.keyboard.press('Enter');
      await waitUntil(() => tap.sent.some((frame) => frame.action === 'edit'));
      const refused = tap.sent.findLast((frame) => frame.action === 'edit');
      assert.equal(refused.text, 'Hello team');
      tap.inject({ type: 'error', code: 'too_old', message: 'too old', action: 'edit', clientMsgId: refused.clientMsgId });
      await mine.locator('.amend-error', { hasText: 'This message is too old to change now.' }).waitFor();
      await screenshot(alice, 'amend-edit-desktop.png');
      assert.equal(await alice.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');

      // Enter saves: the new text, "edited", for both readers.
      tap.drop = () => false;
      await alice.keyboard.press('Enter');
      const edited = await waitForMessage(alice, 'Hello team');
      assert.equal(await edited.locator('.amend-edited').textContent(), 'edited');
      assert.equal(await edited.locator('.amend-error').count(), 0);
      assert.match(await focusedClass(alice), /amend-edit/, 'focus stays on the message');
      const beaEdited = await waitForMessage(bea, '[es] Hello team');
      assert.equal(await beaEdited.locator('.amend-edited').textContent(), 'editado');
      assert.equal(await messageWithText(bea, '[es] Hello tem').count(), 0);
      await bea.reload();
      await waitOnline(bea);
      const fromHistory = await waitForMessage(bea, '[es] Hello team');
      assert.equal(await fromHistory.locator('.amend-edited').textContent(), 'editado', 'history carries editedAt');

      // Delete asks first; Escape keeps the message.
      await edited.locator('.amend-delete').click();
      await alice.locator('#amend-delete-dialog[open]').waitFor();
      assert.match(await focusedClass(alice), /amend-dialog-cancel/, 'the safe choice has focus');
      await alice.keyboard.press('Escape');
      await alice.locator('#amend-delete-dialog[open]').waitFor({ state: 'detached' });
      assert.match(await focusedClass(alice), /amend-delete/);
      await alice.keyboard.press('Enter');
      await alice.click('#amend-delete-confirm');
      await alice.locator('.message.deleted .amend-deleted-text', { hasText: 'Message deleted' }).waitFor();
      await bea.locator('.message.deleted .amend-deleted-text', { hasText: 'Mensaje eliminado' }).waitFor();
      assert.equal(await messageWithText(bea, '[es] Hello team').count(), 0);
      assert.match(await bea.locator('.message.deleted .sender').textContent(), /Alice/);
      assert.equal(await alice.evaluate(() => document.activeElement?.classList.contains('deleted')), true);

      // History says so too, after a reload.
      await bea.reload();
      await waitOnline(bea);
      await bea.locator('.message.deleted .amend-deleted-text', { hasText: 'Mensaje eliminado' }).waitFor();
      assert.equal(await bea.locator('.message.deleted .amend-actions').count(), 0);
      assertNoProblems(env.pages);
    });

    test('a correction reaches every reader of that language, live and from history', { timeout: TEST_MS }, async () => {
      const room = 'amend-correct';
      const alice = await env.open();
      await joinDirect(alice, env.server.url, { room, lang: 'en', name: 'Alice' });
      const bea = await env.open({ locale: 'es-ES' });
      await joinDirect(bea, env.server.url, { room, lang: 'es', name: 'Bea' });
      const carlos = await env.open({ locale: 'es-ES' });
      await joinDirect(carlos, env.server.url, { room, lang: 'es', name: 'Carlos' });

      await send(alice, 'Great work team');
      await waitForMessage(carlos, '[es] Great work team');
      const item = await waitForMessage(bea, '[es] Great work team');
      await item.locator('.amend-suggest').focus();
      assert.equal(await item.locator('.amend-suggest').textContent(), 'Sugerir una traducción mejor');
      await bea.keyboard.press('Enter');
      const input = bea.locator('.amend-editor textarea');
      await screenshot(bea, 'amend-suggest-desktop.png');
      assert.equal(await input.inputValue(), '[es] Great work team', 'prefilled with what I read');
      assert.equal(await input.getAttribute('lang'), 'es');
      assert.match(await bea.textContent('.amend-editor label'), /español/);
      await input.fill('Buen trabajo, equipo');
      // The sender edits meanwhile: my words stay, with a warning, and focus stays in them.
      await (await waitForMessage(alice, 'Great work team')).locator('.amend-edit').click();
      await alice.locator('.amend-editor textarea').fill('Great work, team');
      await alice.keyboard.press('Enter');
      await waitForMessage(carlos, '[es] Great work, team');
      await bea.locator('.amend-error', { hasText: 'Este mensaje cambió mientras tanto' }).waitFor();
      assert.equal(await input.inputValue(), 'Buen trabajo, equipo');
      assert.equal(await bea.evaluate(() => document.activeElement?.tagName), 'TEXTAREA');
      await bea.keyboard.press('Enter');

      for (const page of [bea, carlos]) {
        const fixed = await waitForMessage(page, 'Buen trabajo, equipo');
        assert.equal(await fixed.locator('.amend-corrected').textContent(), 'corregido por Bea');
        assert.equal(await fixed.locator('.engine').count(), 0);
      }
      assert.match(await focusedClass(bea), /amend-suggest/);
      // The sender's language is untouched.
      const own = await waitForMessage(alice, 'Great work, team');
      assert.equal(await own.locator('.amend-corrected').count(), 0);

      await carlos.reload();
      await waitOnline(carlos);
      const again = await waitForMessage(carlos, 'Buen trabajo, equipo');
      assert.equal(await again.locator('.amend-corrected').textContent(), 'corregido por Bea');
      assertNoProblems(env.pages);
    });

    test('the glossary panel: add, remove, live for others, and a conflict keeps my input', { timeout: TEST_MS }, async () => {
      const room = 'amend-glossary';
      const alice = await env.open();
      await joinDirect(alice, env.server.url, { room, lang: 'en', name: 'Alice' });
      const bea = await env.open({ locale: 'es-ES' });
      const held = await tapIncoming(bea);
      await joinDirect(bea, env.server.url, { room, lang: 'es', name: 'Bea' });

      await openGlossary(alice);
      await alice.locator('#glossary-state', { hasText: 'No terms yet.' }).waitFor();
      await alice.keyboard.type('honyaku'); // the term has focus; Enter adds it
      await alice.keyboard.press('Enter');
      await alice.locator('#glossary-state', { hasText: 'Added “honyaku”.' }).waitFor();
      assert.equal(await alice.evaluate(() => document.activeElement?.id), 'glossary-term', 'ready for the next');
      assert.deepEqual(await terms(alice), ['honyaku']);
      assert.match(await alice.textContent('#glossary-list .glossary-rule'), /Kept as written/);
      assert.equal(await alice.inputValue('#glossary-term'), '', 'the form is ready for the next');
      // A term needs its rendering once a language is chosen; said beside the form.
      await addTerm(alice, 'sprint', 'es', '');
      await alice.locator('#glossary-error', { hasText: 'Write how the term should read in that language.' }).waitFor();
      assert.equal(await alice.getAttribute('#glossary-as', 'aria-invalid'), 'true');

      // Bea's panel is open on version 1; Alice saves version 2, which Bea's page does not hear of.
      await openGlossary(bea);
      await bea.locator('#glossary-list .glossary-term', { hasText: 'honyaku' }).waitFor();
      let holds = 0;
      held.hold = (frame) => frame.type === 'glossary' && frame.version === 2 && holds++ === 0;
      await alice.fill('#glossary-as', 'sprint');
      await alice.click('#glossary-add');
      await alice.locator('#glossary-list .glossary-term', { hasText: 'sprint' }).waitFor();
      assert.match(await alice.locator('#glossary-list .glossary-rule').nth(1).textContent(), /Spanish.*sprint/);

      await addTerm(bea, 'deploy', 'ja', 'デプロイ');
      await bea.locator('#glossary-error', { hasText: 'Otra persona cambió el glosario antes' }).waitFor();
      await bea.locator('#glossary-list .glossary-term', { hasText: 'sprint' }).waitFor();
      await screenshot(bea, 'glossary-conflict-desktop.png');
      assert.deepEqual(await terms(bea), ['honyaku', 'sprint'], 'theirs, reloaded');
      assert.equal(await bea.inputValue('#glossary-term'), 'deploy', 'my input stays');
      assert.equal(await bea.inputValue('#glossary-as'), 'デプロイ');
      await bea.click('#glossary-add');
      await bea.locator('#glossary-list .glossary-term', { hasText: 'deploy' }).waitFor();
      await alice.locator('#glossary-list .glossary-term', { hasText: 'deploy' }).waitFor();
      assert.match(await alice.textContent('#glossary-state'), /3 terms · last changed by Bea/);

      // Remove with the keyboard: focus moves to the next entry.
      await alice.locator('#glossary-list .glossary-remove').nth(1).focus();
      assert.equal(await alice.getAttribute('#glossary-list .glossary-remove >> nth=1', 'aria-label'), 'Remove sprint');
      await alice.keyboard.press('Enter');
      await alice.locator('#glossary-state', { hasText: 'Removed “sprint”.' }).waitFor();
      assert.deepEqual(await terms(alice), ['honyaku', 'deploy']);
      assert.equal(await alice.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Remove deploy');
      await bea.locator('#glossary-list .glossary-term', { hasText: 'sprint' }).waitFor({ state: 'detached' });
      await alice.keyboard.press('Escape');
      await alice.locator('#glossary-dialog[open]').waitFor({ state: 'detached' });
      assert.equal(await alice.evaluate(() => document.activeElement?.id), 'glossary-button');
      assertNoProblems(env.pages);
    });

    test('phone, ar: edit, delete, suggest and the glossary fit and read right to left', { timeout: TEST_MS }, async () => {
      const room = 'amend-phone';
      const alice = await env.open();
      await joinDirect(alice, env.server.url, { room, lang: 'en', name: 'Alice' });
      const layla = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
      await joinDirect(layla, env.server.url, { room, lang: 'ar', name: 'ليلى' });
      assert.equal(await layla.getAttribute('html', 'dir'), 'rtl');

      await send(alice, 'See you at noon');
      const theirs = await waitForMessage(layla, '[ar] See you at noon');
      const suggest = theirs.locator('.amend-suggest');
      assert.equal(await suggest.textContent(), 'اقتراح ترجمة أفضل');
      await assertInViewport(layla, suggest, PHONE);
      await suggest.click();
      const input = layla.locator('.amend-editor textarea');
      await assertInViewport(layla, input, PHONE);
      await assertInViewport(layla, layla.locator('.amend-save'), PHONE);
      await input.fill('أراك ظهرًا');
      await layla.click('.amend-save');
      const fixed = await waitForMessage(layla, 'أراك ظهرًا');
      assert.equal(await fixed.locator('.amend-corrected').textContent(), 'صحّحها ليلى');

      await send(layla, 'مرحبا');
      const mine = await waitForMessage(layla, 'مرحبا');
      await mine.locator('.amend-edit').click();
      await layla.locator('.amend-editor textarea').fill('مرحبا بالجميع');
      await layla.keyboard.press('Enter');
      const edited = await waitForMessage(layla, 'مرحبا بالجميع');
      assert.equal(await edited.locator('.amend-edited').textContent(), 'معدّلة');
      await waitForMessage(alice, '[en] مرحبا بالجميع');
      await screenshot(layla, 'amend-phone-ar.png');
      await edited.locator('.amend-delete').click();
      await assertInViewport(layla, layla.locator('#amend-delete-dialog'), PHONE);
      assert.equal(await layla.textContent('#amend-delete-confirm'), 'حذف لدى الجميع');
      await layla.click('#amend-delete-confirm');
      await layla.locator('.amend-deleted-text', { hasText: 'حُذفت الرسالة' }).waitFor();
      await alice.locator('.amend-deleted-text', { hasText: 'Message deleted' }).waitFor();

      await openGlossary(layla);
      await assertInViewport(layla, layla.locator('#glossary-dialog'), PHONE);
      assert.equal(await layla.textContent('#glossary-title'), 'مسرد الغرفة');
      await addTerm(layla, 'honyaku');
      await layla.locator('#glossary-list .glossary-term', { hasText: 'honyaku' }).waitFor();
      await assertInViewport(layla, layla.locator('#glossary-add'), PHONE);
      await screenshot(layla, 'glossary-phone-ar.png');
      assertNoProblems(env.pages);
    });
  });

  describe('the glossary where tokens are required', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser({ args: ['--token-secret', SECRET] });
    const token = (admin) => execFileSync(BIN, ['token', '--secret', SECRET, '--room', 'team', '--ttl', '1h',
      ...(admin ? ['--admin'] : [])]).toString().trim();

    async function joinWithToken(page, name, admin) {
      const url = new URL('/', env.server.url);
      Object.entries({ room: 'team', lang: 'en', name, token: token(admin) })
        .forEach(([key, value]) => url.searchParams.set(key, value));
      await page.goto(url.href);
      await waitOnline(page);
    }

    test('only an admin may change it; anyone else is told why', { timeout: TEST_MS }, async () => {
      const member = await env.open();
      await joinWithToken(member, 'Mia', false);
      await openGlossary(member);
      await addTerm(member, 'honyaku');
      await member.locator('#glossary-error', { hasText: 'Only room admins can change the glossary' }).waitFor();
      assert.equal(await member.inputValue('#glossary-term'), 'honyaku');

      const admin = await env.open();
      await joinWithToken(admin, 'Ada', true);
      await openGlossary(admin);
      await addTerm(admin, 'honyaku');
      await admin.locator('#glossary-list .glossary-term', { hasText: 'honyaku' }).waitFor();
      await member.locator('#glossary-list .glossary-term', { hasText: 'honyaku' }).waitFor();
      assertNoProblems(env.pages);
    });
  });
}
