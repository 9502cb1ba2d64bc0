// POST /translate from a web page on another site (issue 23 #4): a
// `text/plain` POST needs no preflight, so the server itself must refuse
// it. Only JSON is accepted (415 otherwise), a browser's cross-site call is
// refused (403) unless --allowed-origin lists its origin, and then CORS
// lets that origin, and only that one, read the answer.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { after, describe, test } from 'node:test';
import { TEST_MS, useServerAndBrowser } from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

// Another site on this machine (Chromium resolves *.localhost to loopback,
// so no local-network permission stands in the way): a blank page.
const site = createServer((req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/html' });
  res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
});
await new Promise((done) => site.listen(0, '127.0.0.1', done));
site.unref();
after(() => site.close());
const EVIL = `http://evil.localhost:${site.address().port}`;
const PARTNER = `http://partner.localhost:${site.address().port}`;
const BODY = JSON.stringify({ text: 'hello', sourceLang: 'en', targetLang: 'es' });

/** Opens a blank page at `origin` and returns it. */
async function pageAt(env, origin) {
  const page = await env.open();
  await page.goto(`${origin}/`);
  return page;
}

/** What the server answered a no-cors `text/plain` POST (the page itself cannot tell). */
async function plainPost(page, url) {
  const answered = page.waitForResponse((r) => r.url() === url && r.request().method() === 'POST');
  await page.evaluate(([u, body]) => fetch(u, {
    method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body,
  }).catch(() => null), [url, BODY]);
  return (await answered).status();
}

/** A CORS JSON POST from the page: what it could read, or the failure. */
function jsonPost(page, url) {
  return page.evaluate(async ([u, body]) => {
    try {
      const r = await fetch(u, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      return { status: r.status, body: await r.json() };
    } catch (e) {
      return { failed: String(e) };
    }
  }, [url, BODY]);
}

if (browserAvailable('rest-cross-site')) {
  describe('POST /translate from another site, by default', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser();

    test('a text/plain POST from another site is refused', { timeout: TEST_MS }, async () => {
      const page = await pageAt(env, EVIL);
      const status = await plainPost(page, new URL('/translate', env.server.url).href);
      assert.equal(status, 403, 'the cross-site POST was not refused');
    });

    test('a JSON POST from another site cannot be read', { timeout: TEST_MS }, async () => {
      const page = await pageAt(env, EVIL);
      const result = await jsonPost(page, new URL('/translate', env.server.url).href);
      assert.ok(result.failed, JSON.stringify(result));
    });

    test('the page itself may call it, with JSON only', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await page.goto(env.server.url);
      const url = new URL('/translate', env.server.url).href;
      const result = await jsonPost(page, url);
      assert.equal(result.status, 200, JSON.stringify(result));
      assert.equal(result.body.translatedText, '[es] hello');
      const plain = await page.evaluate(([u, body]) => fetch(u, {
        method: 'POST', headers: { 'Content-Type': 'text/plain' }, body,
      }).then((r) => r.status), [url, BODY]);
      assert.equal(plain, 415);
    });
  });

  describe('POST /translate from an origin --allowed-origin lists', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser({ args: ['--allowed-origin', PARTNER] });

    test('the listed origin reads the answer; others still cannot', { timeout: TEST_MS }, async () => {
      const url = () => new URL('/translate', env.server.url).href;
      const partner = await pageAt(env, PARTNER);
      const result = await jsonPost(partner, url());
      assert.equal(result.status, 200, JSON.stringify(result));
      assert.equal(result.body.translatedText, '[es] hello');
      assert.equal(await plainPost(partner, url()), 415, 'text/plain is still refused');
      const evil = await pageAt(env, EVIL);
      assert.ok((await jsonPost(evil, url())).failed);
      assert.equal(await plainPost(evil, url()), 403);
    });
  });
}
