// A crafted link must not move the chat to someone else's server (issue 16
// #1): the page takes its endpoint from its own origin or from config.json
// served with it, never from `?ws=` in its URL, and never passes `ws=` on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  assertNoProblems, joinDirect, openPage, send, TEST_MS, useServerAndBrowser, waitForMessage, waitOnline,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const ATTACKER = 'ws://attacker.example/x';

/** Every WebSocket URL the page opens, in order. */
function recordSockets(page) {
  const urls = [];
  page.on('websocket', (socket) => urls.push(socket.url()));
  return urls;
}

if (browserAvailable('security')) {
  describe('the endpoint comes only from the page and its config', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser();

    test('a crafted ?ws= link joins the genuine server, and the invite link drops it', { timeout: TEST_MS }, async () => {
      const genuine = `ws://${new URL(env.server.url).host}/local?`;
      const page = await env.open({ permissions: ['clipboard-read', 'clipboard-write'] });
      const sockets = recordSockets(page);
      const requests = [];
      page.on('request', (request) => requests.push(request.url()));

      // The link as an attacker would send it: the form is pre-filled, the user joins.
      await openPage(page, new URL(`/?room=team&ws=${encodeURIComponent(ATTACKER)}`, env.server.url).href);
      assert.equal(await page.inputValue('#room'), 'team');
      await page.fill('#name', 'Victim');
      await page.click('#join-button');
      await waitOnline(page);
      await send(page, 'my secret plans');
      await waitForMessage(page, 'my secret plans');

      assert.ok(sockets.length >= 1, 'the page connected');
      for (const url of sockets) assert.ok(url.startsWith(genuine), `connected to ${url}, not ${genuine}`);
      assert.deepEqual(requests.filter((url) => new URL(url).hostname !== '127.0.0.1'), [],
        'nothing was sent anywhere else');
      // The address bar and the invite link no longer carry ws=.
      assert.equal(new URL(page.url()).searchParams.get('ws'), null);
      const invite = await page.inputValue('#share-link');
      assert.equal(new URL(invite).searchParams.get('ws'), null);
      assert.equal(new URL(invite).searchParams.get('room'), 'team');
      await page.click('#copy-link');
      await page.locator('#copy-status:not(:empty)').waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, invite);
      assert.ok(!copied.includes('ws='), copied);
    });

    test('a direct-join link with ws= connects to the genuine server too', { timeout: TEST_MS }, async () => {
      const genuine = `ws://${new URL(env.server.url).host}/local?`;
      const page = await env.open();
      const sockets = recordSockets(page);
      const url = new URL('/', env.server.url);
      Object.entries({ room: 'team', lang: 'en', name: 'Mallory-target', ws: ATTACKER })
        .forEach(([key, value]) => url.searchParams.set(key, value));
      await page.goto(url.href);
      await waitOnline(page);
      assert.ok(sockets.length >= 1);
      for (const socket of sockets) assert.ok(socket.startsWith(genuine), socket);
    });

    test('config.json served with the page names the endpoint', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      const sockets = recordSockets(page);
      const configured = `ws://${new URL(env.server.url).host}/local?from=config`;
      await page.route('**/config.json', (route) => route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ ws: configured }),
      }));
      await joinDirect(page, env.server.url, { room: 'team', lang: 'en', name: 'Configured' });
      assert.ok(sockets[0].startsWith(`${configured}&`), sockets[0]);
    });

    test('the client secret stays out of the page URL and the invite link', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      const sockets = recordSockets(page);
      await joinDirect(page, env.server.url, { room: 'team', lang: 'en', name: 'Quiet' });
      const secret = await page.evaluate(() => localStorage.getItem('honyaku.client'));
      assert.match(secret, /^[A-Za-z0-9_-]{32}$/);
      assert.equal(new URL(sockets[0]).searchParams.get('client'), secret, 'sent on connect');
      assert.ok(!page.url().includes(secret));
      assert.ok(!(await page.inputValue('#share-link')).includes(secret));
      assert.ok(!(await page.content()).includes(secret), 'not in the document');
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}
