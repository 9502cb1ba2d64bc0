// A room link carries its token in the query string (issue 23 #10): the
// page reads it once, then takes it out of the address bar, so it is in no
// history entry, copied address or Referer; a reload still connects (the
// tab keeps it), and the page is served with Referrer-Policy: no-referrer.
// Invite (issue 25, feature 5): in such a room the dialog gives the exact
// `honyaku token` command for it and turns the token it prints into the
// link to send, never the page's own token, and no QR code.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, test } from 'node:test';
import {
  assertInViewport, assertNoProblems, BIN, joinDirect, PHONE, PHONE_OPTIONS, screenshot, TEST_MS,
  useServerAndBrowser, waitOnline,
} from './helpers.mjs';
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

    test('Invite shows how to mint a link with a token, and builds it from the token pasted', { timeout: TEST_MS }, async () => {
      const mine = mint('team', '1h');
      const page = await env.open({ locale: 'en-US' });
      await joinWithToken(page, env.server.url, mine);
      await page.click('#invite-button');
      await page.locator('#invite-dialog[open]').waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'invite-token-paste');
      assert.match(await page.textContent('#invite-token-help'), /needs a token/);
      // The exact command for this room; the lifetime picked changes it.
      assert.equal(await page.textContent('#invite-token-command'), 'honyaku token --room team --ttl 24h');
      assert.deepEqual(await page.locator('#invite-token-ttl option').allTextContents(), ['1 hour', '1 day', '7 days', '30 days']);
      await page.selectOption('#invite-token-ttl', '168h');
      const command = await page.textContent('#invite-token-command');
      assert.equal(command, 'honyaku token --room team --ttl 168h');
      // The command runs as shown (with the secret in the environment).
      const [, , , room, , ttl] = command.split(' ');
      const minted = mint(room, ttl);
      // Until a token is pasted: the plain link, never this tab's own token; no QR code at all.
      const plain = `${env.server.url}/?room=team`;
      assert.equal(await page.inputValue('#invite-link'), plain);
      assert.equal(await page.locator('#invite-qr').count(), 0);
      const shown = await page.evaluate(() => document.getElementById('invite-dialog').innerText
        + [...document.querySelectorAll('#invite-dialog input')].map((i) => i.value).join(' '));
      assert.ok(!shown.includes(mine), 'the page never shows its own token');

      await page.fill('#invite-token-paste', mint('other-room', '1h'));
      assert.equal(await page.textContent('#invite-token-status'), 'This token opens the room other-room, not this one.');
      assert.equal(await page.inputValue('#invite-link'), plain);
      await page.fill('#invite-token-paste', mint('team', '1h', true));
      assert.match(await page.textContent('#invite-token-status'), /admin token/);
      assert.equal(await page.inputValue('#invite-link'), plain);
      await page.fill('#invite-token-paste', fakeToken('team', Math.floor(Date.now() / 1000) - 60));
      assert.match(await page.textContent('#invite-token-status'), /expired/);
      await page.fill('#invite-token-paste', 'not a token');
      assert.match(await page.textContent('#invite-token-status'), /not a room token/);
      assert.equal(await page.getAttribute('#invite-token-paste', 'aria-invalid'), 'true');

      await page.fill('#invite-token-paste', `  ${minted}\n`);
      const link = `${env.server.url}/?room=team&token=${minted}`;
      assert.equal(await page.inputValue('#invite-link'), link);
      assert.match(await page.textContent('#invite-token-status'), /^The link below opens team until .+\. Send it only/);
      assert.equal(await page.getAttribute('#invite-token-paste', 'aria-invalid'), 'false');
      assert.equal(await page.locator('#invite-qr').count(), 0, 'no QR code: the token goes to no image address');
      await screenshot(page, 'invite-token.png');
      await page.keyboard.press('Escape');

      // The link works: a fresh browser joins with it, and the token leaves its address bar.
      const guest = await env.open({ locale: 'es' });
      const sockets = [];
      guest.on('websocket', (socket) => sockets.push(socket.url()));
      const guestUrl = new URL(link);
      guestUrl.searchParams.set('lang', 'es');
      guestUrl.searchParams.set('name', 'Invitada');
      await guest.goto(guestUrl.href);
      await waitOnline(guest);
      assert.equal(new URL(sockets[0]).searchParams.get('token'), minted);
      assert.ok(!guest.url().includes(minted));
      // Opened again, the dialog starts over.
      await page.click('#invite-button');
      assert.equal(await page.inputValue('#invite-token-paste'), '');
      assert.equal(await page.inputValue('#invite-link'), plain);
      await page.keyboard.press('Escape');
    });

    test('phone, ar: the token part of Invite fits, right to left', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
      await joinWithToken(page, env.server.url, mint('team', '1h'), { lang: 'ar', name: 'ليلى' });
      await page.click('#settings-toggle');
      await page.click('#invite-button');
      await page.locator('#invite-dialog[open]').waitFor();
      assert.equal(await page.textContent('#invite-token-command'), 'honyaku token --room team --ttl 24h');
      assert.equal(await page.$eval('#invite-token-command', (node) => getComputedStyle(node).direction), 'ltr');
      await page.fill('#invite-token-paste', mint('team', '24h'));
      assert.match(await page.textContent('#invite-token-status'), /team/);
      for (const id of ['#invite-dialog', '#invite-token-command', '#invite-token-paste', '#invite-link']) {
        await assertInViewport(page, page.locator(id), PHONE);
      }
      await screenshot(page, 'invite-token-phone-ar.png');
    });

    test('no CSP violations, console errors or uncaught exceptions', () => {
      assertNoProblems(env.pages);
    });
  });
}

/** `honyaku token` for `room`, as an admin would run it (the secret in the environment). */
function mint(room, ttl, admin = false) {
  return execFileSync(BIN, ['token', '--room', room, '--ttl', ttl, ...(admin ? ['--admin'] : [])], {
    env: { ...process.env, HONYAKU_TOKEN_SECRET: SECRET },
  }).toString().trim();
}

/** A token-shaped string for `room` that expired at `exp` (its signature is not checked by the page). */
function fakeToken(room, exp) {
  return `${Buffer.from(`v1|${room}|${exp}`).toString('base64url')}.${'A'.repeat(43)}`;
}

async function joinWithToken(page, base, token, { lang = 'en', name = 'Host' } = {}) {
  const url = new URL('/', base);
  Object.entries({ room: 'team', lang, name, token }).forEach(([key, value]) => url.searchParams.set(key, value));
  await page.goto(url.href);
  await waitOnline(page);
}
