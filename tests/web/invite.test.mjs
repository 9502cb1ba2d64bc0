// Invite (issue 25, feature 5): the room's link and a QR code that a
// decoder (jsQR, here in the test) reads back to that link; the code is the
// server's GET /qr.svg. A page hosted for a deployment shows just the link.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import jsQR from 'jsqr';
import {
  assertInViewport, assertNoProblems, joinDirect, PHONE, PHONE_OPTIONS, screenshot, TEST_MS, useServerAndBrowser,
} from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

async function openInvite(page) {
  const toggle = page.locator('#settings-toggle');
  if (await toggle.isVisible() && await toggle.getAttribute('aria-expanded') !== 'true') await toggle.click();
  await page.click('#invite-button');
  await page.locator('#invite-dialog[open]').waitFor();
}

/** The QR image's pixels, drawn on a canvas in the page, decoded here. */
async function decodeQr(page) {
  await page.locator('#invite-qr:visible').waitFor();
  await page.waitForFunction(() => {
    const img = document.getElementById('invite-qr');
    return img.complete && img.naturalWidth > 0;
  });
  const { width, height, base64 } = await page.evaluate(() => {
    const img = document.getElementById('invite-qr');
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(img, 0, 0);
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let binary = '';
    for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { width: canvas.width, height: canvas.height, base64: btoa(binary) };
  });
  const pixels = new Uint8ClampedArray(Buffer.from(base64, 'base64'));
  return jsQR(pixels, width, height)?.data ?? null;
}

if (browserAvailable('invite')) {
  describe('invite', { timeout: 120_000 }, () => {
    const env = useServerAndBrowser();

    test('the dialog shows the room link and a QR code that reads back to it', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      await joinDirect(page, env.server.url, { room: 'invite-room', lang: 'en', name: 'Host' });
      await openInvite(page);
      const link = `${env.server.url}/?room=invite-room`;
      assert.equal(await page.inputValue('#invite-link'), link);
      assert.equal(await page.textContent('#invite-title'), 'Invite someone to invite-room');
      assert.equal(await decodeQr(page), link);
      assert.match(await page.textContent('#invite-help'), /scan the code/);
      assert.equal(await page.getAttribute('#invite-qr', 'alt'), 'QR code of the link to invite-room');
      assert.equal(await page.locator('#invite-token').count(), 0, 'no token part where none is needed');
      await screenshot(page, 'invite-desktop.png');
      await page.keyboard.press('Escape');
      await page.locator('#invite-dialog').waitFor({ state: 'hidden' });
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'invite-button');
      assertNoProblems(env.pages);
    });

    test('phone, ar: the dialog fits, right to left, and the code still reads back', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'ar', ...PHONE_OPTIONS });
      await joinDirect(page, env.server.url, { room: 'da3wa', lang: 'ar', name: 'ليلى' });
      await openInvite(page);
      assert.equal(await page.getAttribute('html', 'dir'), 'rtl');
      assert.equal(await page.textContent('#invite-title'), 'ادعُ أحدًا إلى da3wa');
      assert.equal(await decodeQr(page), `${env.server.url}/?room=da3wa`);
      await assertInViewport(page, page.locator('#invite-dialog'), PHONE);
      await screenshot(page, 'invite-phone-ar.png');
      await page.click('#invite-close');
      await page.locator('#invite-dialog').waitFor({ state: 'hidden' });
      assertNoProblems(env.pages);
    });

    test('a page hosted for a deployment (config.json names the endpoint) shows just the link', { timeout: TEST_MS }, async () => {
      const page = await env.open({ locale: 'en-US' });
      const ws = `ws://127.0.0.1:${env.server.port}/local`;
      await page.route('**/config.json', (route) => route.fulfill({ json: { ws } }));
      await joinDirect(page, env.server.url, { room: 'hosted', lang: 'en', name: 'Host' });
      await openInvite(page);
      assert.equal(await page.inputValue('#invite-link'), `${env.server.url}/?room=hosted`);
      assert.equal(await page.textContent('#invite-help'), 'Send this link to whoever you want to chat with.');
      assert.equal(await page.locator('#invite-qr').count(), 0, 'no code, and no request for one');
      assertNoProblems(env.pages);
    });
  });
}
