// Notifications (issue 25, feature 3): the unread count in the tab title
// while the tab is hidden or the view scrolled away, a desktop notification
// asked for only after the reader opts in, a sound, and "Mentions only" or
// "All messages" kept per room. `window.Notification` and AudioContext are
// stubbed so the test sees every call.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, PHONE_OPTIONS, screenshot, send, setTabHidden, TEST_MS, useServerAndBrowser,
  waitForMessage,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

/** Record notifications, permission requests and beeps in window.__calls. */
function stubNotifications() {
  window.__calls = { notifications: [], requests: 0, beeps: 0 };
  let permission = 'default';
  class FakeNotification {
    constructor(title, options = {}) {
      window.__calls.notifications.push({ title, body: options.body, dir: options.dir });
    }

    static get permission() { return permission; }

    static async requestPermission() {
      window.__calls.requests += 1;
      permission = window.__answer ?? 'granted';
      return permission;
    }

    close() {}
  }
  window.Notification = FakeNotification;
  class FakeAudio {
    constructor() { this.state = 'running'; this.currentTime = 0; this.destination = {}; }

    resume() { return Promise.resolve(); }

    createGain() {
      return { gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} }, connect: (next) => next };
    }

    createOscillator() {
      return { frequency: {}, connect: (next) => next, start: () => { window.__calls.beeps += 1; }, stop() {} };
    }
  }
  window.AudioContext = FakeAudio;
}

const calls = (page) => page.evaluate(() => window.__calls);

async function openSettings(page) {
  if (await page.locator('#settings-toggle').isVisible()) {
    if (await page.locator('#settings-toggle').getAttribute('aria-expanded') !== 'true') {
      await page.click('#settings-toggle');
    }
  }
}

if (browserAvailable('notify')) {
  describe('notifications', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('hidden tab: title count, a desktop notification and a sound once opted in; cleared on return',
      { timeout: TEST_MS }, async () => {
        const room = 'notify-all';
        const reader = await env.open({ locale: 'en-US' });
        await reader.context().grantPermissions(['notifications']);
        await reader.addInitScript(stubNotifications);
        await joinDirect(reader, env.server.url, { room, lang: 'en', name: 'Reader' });
        const writer = await env.open();
        await joinDirect(writer, env.server.url, { room, lang: 'en', name: 'Writer' });

        // Nothing is asked for before the reader opts in.
        await setTabHidden(reader, true);
        await send(writer, 'before opting in');
        await waitForMessage(reader, 'before opting in');
        assert.deepEqual(await calls(reader), { notifications: [], requests: 0, beeps: 0 });
        assert.equal(await reader.title(), `(1) ${room} — honyaku`);
        await setTabHidden(reader, false);
        assert.equal(await reader.title(), `${room} — honyaku`);

        await openSettings(reader);
        assert.equal(await reader.inputValue('#notify-mode'), 'mentions', 'mentions only by default');
        await reader.selectOption('#notify-mode', 'all');
        await reader.check('#notify-desktop');
        await reader.check('#notify-sound');
        await reader.waitForFunction(() => window.__calls.requests === 1);
        assert.equal(await reader.isChecked('#notify-desktop'), true);

        await setTabHidden(reader, true);
        await send(writer, 'while you were away');
        await waitForMessage(reader, 'while you were away');
        await reader.waitForFunction(() => window.__calls.notifications.length === 1);
        const seen = await calls(reader);
        assert.deepEqual(seen.notifications[0], { title: `Writer in ${room}`, body: 'while you were away', dir: 'auto' });
        assert.equal(seen.beeps, 1);
        assert.equal(await reader.title(), `(1) ${room} — honyaku`);
        await send(writer, 'and another');
        await waitForMessage(reader, 'and another');
        assert.equal(await reader.title(), `(2) ${room} — honyaku`);
        await setTabHidden(reader, false);
        assert.equal(await reader.title(), `${room} — honyaku`, 'cleared on return');

        // Visible: no popup for an ordinary message, even in "All".
        await send(writer, 'while you look');
        await waitForMessage(reader, 'while you look');
        assert.equal((await calls(reader)).notifications.length, 2);

        // The choices survive a reload; the mode is per room.
        await reader.reload();
        await reader.locator('#status[data-state="online"]').waitFor();
        // Rejoined (the members list holds the reader again) before the
        // switch, so the rejoin's answer cannot land after it.
        await reader.locator('#members .member', { hasText: 'Reader' }).first().waitFor({ timeout: 15_000 });
        await openSettings(reader);
        assert.equal(await reader.inputValue('#notify-mode'), 'all');
        assert.equal(await reader.isChecked('#notify-sound'), true);
        await reader.fill('#room-switch', 'notify-other');
        await reader.click('#room-switch-button');
        await reader.locator('#room-name', { hasText: 'notify-other' }).waitFor({ timeout: 15_000 });
        await openSettings(reader);
        assert.equal(await reader.inputValue('#notify-mode'), 'mentions', 'another room has its own setting');
        assertNoProblems(env.pages);
      });

    test('mentions only: a mention notifies, other messages do not; a refusal unticks the box (phone, ar)',
      { timeout: TEST_MS }, async () => {
        const room = 'notify-mentions';
        const reader = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
        await reader.addInitScript(stubNotifications);
        await joinDirect(reader, env.server.url, { room, lang: 'ar', name: 'ليلى' });
        assert.equal(await reader.getAttribute('html', 'dir'), 'rtl');
        const writer = await env.open();
        await joinDirect(writer, env.server.url, { room, lang: 'ar', name: 'Sam' });

        // Refused by the browser: the box unticks and says why.
        await reader.evaluate(() => { window.__answer = 'denied'; });
        await openSettings(reader);
        await reader.locator('#notify-desktop').scrollIntoViewIfNeeded();
        await reader.check('#notify-desktop').catch(() => {});
        await reader.waitForFunction(() => window.__calls.requests === 1);
        await reader.locator('#notify-hint:not(:empty)').waitFor();
        assert.equal(await reader.isChecked('#notify-desktop'), false);
        await screenshot(reader, 'notify-phone-ar.png');

        await reader.evaluate(() => { window.__answer = 'granted'; });
        await reader.check('#notify-desktop');
        await reader.check('#notify-sound');
        await reader.click('#settings-toggle');
        await setTabHidden(reader, true);
        await send(writer, 'nothing for you');
        await waitForMessage(reader, 'nothing for you');
        await send(writer, 'hello @ليلى');
        await reader.locator('#messages .message.mention').waitFor();
        await reader.waitForFunction(() => window.__calls.notifications.length === 1);
        const seen = await calls(reader);
        assert.equal(seen.beeps, 1, 'one sound, for the mention');
        assert.equal(seen.notifications[0].body, 'hello @ليلى');
        assert.equal(seen.notifications[0].dir, 'rtl');
        assert.equal(await reader.title(), `(2) ${room} — honyaku`);
        assertNoProblems(env.pages);
      });

    test('scrolled away: the title counts what arrived below; back at the bottom it clears', { timeout: TEST_MS }, async () => {
      const room = 'notify-scroll';
      const reader = await env.open({ locale: 'en-US', viewport: { width: 800, height: 400 } });
      await joinDirect(reader, env.server.url, { room, lang: 'en', name: 'Reader' });
      const writer = await env.open();
      await joinDirect(writer, env.server.url, { room, lang: 'en', name: 'Writer' });
      for (let i = 1; i <= 25; i += 1) await send(writer, `line ${i}`);
      await waitForMessage(reader, 'line 25');
      await reader.locator('#messages').evaluate((list) => { list.scrollTop = 0; });
      await reader.locator('#jump-latest').waitFor({ state: 'visible' });
      await send(writer, 'below the fold');
      await waitForMessage(reader, 'below the fold');
      await reader.waitForFunction((want) => document.title === want, `(1) ${room} — honyaku`);
      await reader.click('#jump-latest');
      await reader.waitForFunction((want) => document.title === want, `${room} — honyaku`);
      assertNoProblems(env.pages);
    });
  });
}
