// Connection life in a real Chromium: the server stops (SIGTERM) and starts
// again on the same port and data; the page reconnects by itself, resumes the
// room, and sends what was typed while offline exactly once.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, messageWithText, screenshot, send, sleep, TEST_MS, useServerAndBrowser,
  waitForMessage, waitOnline, WEBSOCKET_FAILED,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const ROOM = 'web-restart';
/** Backoff is at most a few seconds after a short outage; a fresh server on a busy machine answers slowly at first. */
const RECONNECT_MS = 15_000;

if (browserAvailable('reconnect')) {
  describe('reconnect', { timeout: 90_000 }, () => {
    const env = useServerAndBrowser();
    const open = () => env.open();
    const { pages } = env;

    test('after a server restart the room resumes; offline messages are sent once', { timeout: TEST_MS }, async () => {
      const alice = await open();
      await joinDirect(alice, env.server.url, { room: ROOM, lang: 'en', name: 'Alice' });
      const bea = await open();
      await joinDirect(bea, env.server.url, { room: ROOM, lang: 'es', name: 'Bea' });
      await send(alice, 'before the restart');
      await waitForMessage(bea, '[es] before the restart');

      const joinedLines = () => Promise.all([alice, bea].map((page) => page.locator('.presence', { hasText: 'joined' }).count()));
      const joinedBefore = await joinedLines();
      await env.server.stop();
      for (const page of [alice, bea]) {
        await page.locator('#status[data-state="offline"], #status[data-state="connecting"]').waitFor();
      }

      // Typed while the server is down: shown at once as queued, not lost.
      await send(alice, 'typed while offline');
      const queued = messageWithText(alice, 'typed while offline');
      await queued.waitFor();
      assert.equal(await queued.getAttribute('data-state'), 'queued');
      assert.match(await queued.getAttribute('class'), /\bpending\b/);
      await screenshot(alice, 'reconnect-offline-en.png');

      await env.restart();
      await Promise.all([alice, bea].map((page) => waitOnline(page, RECONNECT_MS)));

      // The queued message goes out once, and both see it once.
      await waitForMessage(bea, '[es] typed while offline', RECONNECT_MS);
      await waitForMessage(alice, 'typed while offline', RECONNECT_MS);
      assert.equal(await alice.locator('.message.pending').count(), 0);
      // Everyone came back after the restart: the server marks those joins `returning`, so no new "joined" line.
      const joinedAfter = await joinedLines();
      assert.ok(joinedAfter.every((n, i) => n <= joinedBefore[i]), `no second "joined" line after the restart: ${joinedBefore} → ${joinedAfter}`);
      // History was reloaded on reconnect: the old message is still there.
      await waitForMessage(bea, '[es] before the restart', RECONNECT_MS);
      await waitForMessage(alice, 'before the restart', RECONNECT_MS);

      // Messages sent after the restart arrive.
      await send(bea, 'después del reinicio');
      await waitForMessage(alice, '[en] después del reinicio', RECONNECT_MS);
      await waitForMessage(bea, 'después del reinicio', RECONNECT_MS);
      await sleep(300); // time for a duplicate to show up, if one were sent
      for (const [page, text] of [[alice, 'typed while offline'], [bea, '[es] typed while offline']]) {
        assert.equal(await messageWithText(page, text).count(), 1, `"${text}" is shown once`);
      }
      await screenshot(bea, 'reconnect-after-es.png');

      // The store has it once too: a newcomer's history says so.
      const carl = await open();
      await joinDirect(carl, env.server.url, { room: ROOM, lang: 'en', name: 'Carl' });
      await waitForMessage(carl, '[en] después del reinicio', RECONNECT_MS);
      const texts = await carl.locator('#messages .message .text').allTextContents();
      assert.deepEqual(texts, ['before the restart', 'typed while offline', '[en] después del reinicio']);
    });

    test('a message lost with a dying connection is marked "not sent", never silently dropped', { timeout: TEST_MS }, async () => {
      const [alice, bea] = pages;
      await waitOnline(alice);
      await waitOnline(bea);
      // Frozen, the server takes the frame into its socket buffer and never reads it.
      env.server.child.kill('SIGSTOP');
      await send(alice, 'lost in flight');
      const item = messageWithText(alice, 'lost in flight');
      await alice.locator('.message[data-state="sending"]').waitFor();
      await env.server.crash();
      await env.restart();
      await waitOnline(alice, RECONNECT_MS);

      // The fresh history shows it never arrived: the page says so and offers a retry.
      await alice.locator('.message.failed', { hasText: 'lost in flight' }).waitFor({ timeout: RECONNECT_MS });
      assert.match(await item.locator('.local-status').textContent(), /not sent/);
      await screenshot(alice, 'reconnect-not-sent-en.png');
      await item.locator('.retry').click();
      await waitForMessage(alice, 'lost in flight', RECONNECT_MS);
      await waitOnline(bea, RECONNECT_MS);
      await waitForMessage(bea, '[es] lost in flight', RECONNECT_MS);
      await sleep(300);
      assert.equal(await messageWithText(bea, '[es] lost in flight').count(), 1);
      assert.equal(await messageWithText(alice, 'lost in flight').count(), 1);
    });

    test('while the page is in view a retry is at most 3 s away; "Reconnect now" tries at once', { timeout: TEST_MS }, async () => {
      const page = await open();
      await joinDirect(page, env.server.url, { room: 'web-backoff', lang: 'en', name: 'Vic' });
      let sockets = 0;
      page.on('websocket', () => { sockets += 1; });
      await env.server.stop();
      const bar = page.locator('#offline-bar');
      await bar.waitFor();
      // Eight seconds down: several failed attempts, none planned further than 3 s ahead.
      // The bar stays through each attempt too: "Reconnect now" never vanishes from under a finger.
      const seen = new Set();
      for (let i = 0; i < 32; i += 1) {
        seen.add(await page.textContent('#retry-countdown'));
        assert.ok(await bar.isVisible(), 'the offline bar stays while offline');
        await sleep(250);
      }
      const seconds = [...seen].map((text) => Number(/(\d+) s/.exec(text)?.[1] ?? 0));
      assert.ok(Math.max(...seconds) <= 3, [...seen].join(' | '));
      assert.ok(sockets >= 3, `kept trying (${sockets} attempts)`);

      // "Reconnect now" tries at once. Clicked inside the page while it is offline (no retry under way), the
      // header says "connecting" in the same tick: the attempt is the button's.
      const before = sockets;
      const stateAfterClick = await page.waitForFunction(() => {
        if (document.getElementById('chat-view').dataset.state !== 'offline') return null;
        document.getElementById('reconnect-now').click();
        return document.getElementById('chat-view').dataset.state;
      }, null, { timeout: 15_000 }).then((handle) => handle.jsonValue());
      assert.equal(stateAfterClick, 'connecting', 'the button started an attempt at once');
      for (const end = Date.now() + 2000; sockets === before && Date.now() < end;) await sleep(20);
      assert.ok(sockets > before, 'the button opened a socket');
      await env.restart();
      await waitOnline(page, 5000);
      await bar.waitFor({ state: 'hidden' });
    });

    test('no CSP violations or uncaught exceptions', () => {
      assertNoProblems(pages, { allow: [WEBSOCKET_FAILED] });
    });
  });
}
