// A room link carries its token in the query string (issue 23 #10): the
// page reads it once, then takes it out of the address bar, so it is in no
// history entry, copied address or Referer; a reload still connects (the
// tab keeps it), and the page is served with Referrer-Policy: no-referrer.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { BIN, TEST_MS, useServerAndBrowser, waitOnline } from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

const SECRET = 'a-page-test-token-secret-0123456789';

if (browserAvailable('token')) {
  describe('a room token in the link', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser({ args: ['--token-secret', SECRET] });

    test('is read once and kept out of the address bar and history', { timeout: TEST_MS }, async () => {
      const token = execFileSync(BIN, ['token', '--secret', SECRET, '--room', 'team', '--ttl', '1h'])
        .toString().trim();
      const page = await env.open();
      const sockets = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      const url = new URL('/', env.server.url);
      Object.entries({ room: 'team', lang: 'en', name: 'Tok', token })
        .forEach(([key, value]) => url.searchParams.set(key, value));
      const response = await page.goto(url.href);
      assert.equal(response.headers()['referrer-policy'], 'no-referrer');
      await waitOnline(page);
      assert.equal(new URL(sockets[0]).searchParams.get('token'), token, 'sent on connect');
      // Gone from the address bar, and so from this history entry.
      assert.ok(!page.url().includes(token), page.url());
      assert.equal(new URL(page.url()).searchParams.get('room'), 'team');
      assert.ok(!(await page.evaluate(() => location.href)).includes(token));
      assert.ok(!(await page.inputValue('#share-link')).includes(token));
      // A reload still connects with it.
      await page.reload();
      await waitOnline(page);
      assert.equal(new URL(sockets.at(-1)).searchParams.get('token'), token);
      assert.ok(!page.url().includes(token));
    });
  });
}
