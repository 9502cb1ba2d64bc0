// Identity and presence (issue 13, page items 3, 4 and 9's quiet
// reconnect): a `client` secret kept in localStorage keeps you in your
// room across a reload, recognises your messages (history included) and
// you in the member list; tags tell apart two people with one name; the
// list follows members' name and language changes.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinByForm, joinDirect, messageWithText, openPage, rawSocket, screenshot, send,
  sleep, TEST_MS, useServerAndBrowser, waitForMessage, waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

/** Member entries as {name, lang, you, tag (shown or '')}. */
function memberList(page) {
  return page.$$eval('#members .member', (items) => items.map((li) => ({
    name: li.querySelector('.member-name').textContent,
    lang: li.dataset.lang,
    you: li.classList.contains('me'),
    tag: li.classList.contains('shared-name') ? li.querySelector('.tag')?.textContent ?? '' : '',
  })));
}

if (browserAvailable('identity')) {
  describe('identity across reloads, and who is who', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('a reload after joining through the form stays in the room, and my messages stay mine', { timeout: TEST_MS }, async () => {
      const room = 'reload';
      const kim = await env.open({ locale: 'en-US' });
      await joinByForm(kim, env.server.url, { room, lang: 'en', name: 'Kim' });
      const lou = await env.open();
      await joinDirect(lou, env.server.url, { room, lang: 'fr', name: 'Lou' });
      await send(kim, 'written before the reload');
      await waitForMessage(kim, 'written before the reload');
      await send(lou, 'salut Kim');
      await waitForMessage(kim, '[en] salut Kim');

      await kim.reload();
      await waitOnline(kim);
      assert.equal(await kim.locator('#chat-view').isVisible(), true, 'not the join form');
      assert.equal(await kim.textContent('#room-name'), room);
      assert.match(await kim.textContent('#me-name'), /Kim · English \(en\)/);
      const mine = await waitForMessage(kim, 'written before the reload');
      assert.match(await mine.getAttribute('class'), /\bown\b/, 'my earlier message is shown as mine');
      assert.doesNotMatch(await messageWithText(kim, '[en] salut Kim').getAttribute('class'), /\bown\b/);
      const members = await memberList(kim);
      assert.deepEqual(members.filter((m) => m.you).map((m) => m.name), ['Kim']);
      assert.match(await kim.textContent('#members .me'), /\(you\)/);
      // Lou saw no "left" and "joined" for a reload.
      await sleep(4500);
      assert.equal(await lou.locator('.presence', { hasText: 'Kim' }).count(), 0,
        (await lou.locator('.presence').allTextContents()).join(' | '));
      await screenshot(kim, 'identity-after-reload.png');

      // Leaving returns to the form, and a reload stays there.
      await kim.click('#leave-button');
      await kim.locator('#join-view').waitFor();
      await kim.reload();
      await kim.locator('html:not(.loading)').waitFor({ state: 'attached' });
      assert.equal(await kim.locator('#join-view').isVisible(), true);
      assert.equal(await kim.inputValue('#name'), 'Kim');
      await lou.locator('.presence', { hasText: 'Kim est parti·e' }).waitFor({ timeout: 10_000 }); // Lou reads French
    });

    test('an invite to another room opens the form for it instead of the remembered room', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await joinDirect(page, env.server.url, { room: 'remembered', lang: 'en', name: 'Mo' });
      await openPage(page, new URL('/?room=invited', env.server.url).href);
      assert.equal(await page.locator('#join-view').isVisible(), true);
      assert.equal(await page.inputValue('#room'), 'invited');
      assert.equal(await page.inputValue('#name'), 'Mo');
    });

    test('two people with one name are told apart by their tags', { timeout: TEST_MS }, async () => {
      const room = 'twins';
      const first = await env.open();
      await joinDirect(first, env.server.url, { room, lang: 'en', name: 'Sam' });
      const second = await env.open();
      await joinDirect(second, env.server.url, { room, lang: 'es', name: 'Sam' });
      await first.locator('#members .member').nth(1).waitFor();
      const members = await memberList(first);
      assert.equal(members.length, 2);
      assert.ok(members.every((m) => /^#[0-9a-f]{4}$/.test(m.tag)), JSON.stringify(members));
      assert.notEqual(members[0].tag, members[1].tag);
      assert.deepEqual(members.map((m) => m.you), [true, false]);
      await send(second, 'which Sam am I?');
      const theirs = await waitForMessage(first, '[en] which Sam am I?');
      const tag = await theirs.locator('.tag').textContent();
      assert.equal(tag, members[1].tag, 'the message carries the tag the list shows');
      assert.ok(await theirs.locator('.tag').isVisible());
      // One name in the room: no tag shown.
      const solo = await env.open();
      await joinDirect(solo, env.server.url, { room: 'solo', lang: 'en', name: 'Uma' });
      await send(solo, 'alone');
      assert.equal(await (await waitForMessage(solo, 'alone')).locator('.tag').isVisible(), false);
    });

    test('the member list follows name and language changes (presence update)', { timeout: TEST_MS }, async () => {
      const room = 'updates';
      const ada = await env.open({ locale: 'en-US' });
      await joinDirect(ada, env.server.url, { room, lang: 'en', name: 'Ada' });
      const bo = await env.open();
      await joinDirect(bo, env.server.url, { room, lang: 'es', name: 'Bo' });
      await ada.locator('#members .member[data-lang="es"]').waitFor();
      await bo.selectOption('#lang-switch', 'fr');
      await ada.locator('#members .member[data-lang="fr"]', { hasText: 'Bo' }).waitFor();
      await ada.locator('.presence', { hasText: 'Bo now reads Français (fr)' }).waitFor();
      assert.equal(await ada.locator('#members .member[data-lang="es"]').count(), 0);
      // A rename (as `/name` in the terminal client does) shows at once too.
      await rawSocket(ada, 'cy', { room, lang: 'de', name: 'Cy', client: 'cy-client-secret-0123456789' });
      await ada.locator('#members .member', { hasText: 'Cy' }).waitFor();
      await ada.evaluate(() => window.cy.send(JSON.stringify({ action: 'join', name: 'Cyrus' })));
      await ada.locator('.presence', { hasText: 'Cy is now Cyrus' }).waitFor();
      await ada.locator('#members .member', { hasText: 'Cyrus' }).waitFor();
      assert.deepEqual((await memberList(ada)).map((m) => m.name), ['Ada', 'Bo', 'Cyrus']);
      assert.equal(await ada.textContent('#member-count'), '(3)');
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
