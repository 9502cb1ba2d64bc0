// Connection life in a real Chromium: the server stops (SIGTERM) and starts
// again on the same port and data; the page reconnects by itself, resumes the
// room, and sends what was typed while offline exactly once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  joinDirect, messageWithText, newPage, removeDir, screenshot, send, sleep, startAll, startServer,
  tempDataDir, TEST_MS, WAIT_MS, waitForMessage, waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const ROOM = 'web-restart';
/** Backoff is at most a few seconds after a short outage. */
const RECONNECT_MS = 15_000;

if (browserAvailable('reconnect')) {
  describe('reconnect', { timeout: 90_000 }, () => {
    let server;
    let dataDir;
    let browser;
    const pages = [];

    async function open() {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      context.setDefaultTimeout(WAIT_MS);
      const page = await newPage(context);
      pages.push(page);
      return page;
    }

    before(async () => {
      dataDir = tempDataDir();
      ({ server, browser } = await startAll({ dataDir }));
    });

    after(async () => {
      await browser?.close();
      await server?.stop();
      if (dataDir) removeDir(dataDir);
    });

    test('after a server restart the room resumes; offline messages are sent once', { timeout: TEST_MS }, async () => {
      const alice = await open();
      await joinDirect(alice, server.url, { room: ROOM, lang: 'en', name: 'Alice' });
      const bea = await open();
      await joinDirect(bea, server.url, { room: ROOM, lang: 'es', name: 'Bea' });
      await send(alice, 'before the restart');
      await waitForMessage(bea, '[es] before the restart');

      const { port } = server;
      await server.stop();
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

      server = await startServer({ dataDir, port });
      await Promise.all([alice, bea].map((page) => waitOnline(page, RECONNECT_MS)));

      // The queued message goes out once, and both see it once.
      await waitForMessage(bea, '[es] typed while offline');
      await waitForMessage(alice, 'typed while offline');
      assert.equal(await alice.locator('.message.pending').count(), 0);
      // History was reloaded on reconnect: the old message is still there.
      await waitForMessage(bea, '[es] before the restart');
      await waitForMessage(alice, 'before the restart');

      // Messages sent after the restart arrive.
      await send(bea, 'después del reinicio');
      await waitForMessage(alice, '[en] después del reinicio');
      await waitForMessage(bea, 'después del reinicio');
      await sleep(300); // time for a duplicate to show up, if one were sent
      for (const [page, text] of [[alice, 'typed while offline'], [bea, '[es] typed while offline']]) {
        assert.equal(await messageWithText(page, text).count(), 1, `"${text}" is shown once`);
      }
      await screenshot(bea, 'reconnect-after-es.png');

      // The store has it once too: a newcomer's history says so.
      const carl = await open();
      await joinDirect(carl, server.url, { room: ROOM, lang: 'en', name: 'Carl' });
      await waitForMessage(carl, '[en] después del reinicio');
      const texts = await carl.locator('#messages .message .text').allTextContents();
      assert.deepEqual(texts, ['before the restart', 'typed while offline', '[en] después del reinicio']);
    });

    test('a message lost with a dying connection is marked "not sent", never silently dropped', { timeout: TEST_MS }, async () => {
      const [alice, bea] = pages;
      await waitOnline(alice);
      await waitOnline(bea);
      // Frozen, the server takes the frame into its socket buffer and never reads it.
      server.child.kill('SIGSTOP');
      await send(alice, 'lost in flight');
      const item = messageWithText(alice, 'lost in flight');
      await alice.locator('.message[data-state="sending"]').waitFor();
      await server.crash();
      const { port } = server;
      server = await startServer({ dataDir, port });
      await waitOnline(alice, RECONNECT_MS);

      // The fresh history shows it never arrived: the page says so and offers a retry.
      await alice.locator('.message.failed', { hasText: 'lost in flight' }).waitFor();
      assert.match(await item.locator('.local-status').textContent(), /not sent/);
      await screenshot(alice, 'reconnect-not-sent-en.png');
      await item.locator('.retry').click();
      await waitForMessage(alice, 'lost in flight');
      await waitOnline(bea, RECONNECT_MS);
      await waitForMessage(bea, '[es] lost in flight');
      await sleep(300);
      assert.equal(await messageWithText(bea, '[es] lost in flight').count(), 1);
      assert.equal(await messageWithText(alice, 'lost in flight').count(), 1);
    });

    test('no CSP violations or uncaught exceptions', { timeout: TEST_MS }, () => {
      for (const page of pages) {
        assert.deepEqual(page.problems.csp, [], 'CSP violations');
        assert.deepEqual(page.problems.pageErrors, [], 'uncaught exceptions');
        // While the server is down Chromium logs failed WebSocket connects; nothing else.
        const unexpected = page.problems.console.filter((line) => !/WebSocket connection to .* failed/.test(line));
        assert.deepEqual(unexpected, []);
      }
    });
  });
}
