// Links in messages (issue 23 #7): a link shows where it really leads (its
// href), isolated from the text around it, so bidi controls cannot make it
// read as something else; a look-alike (mixed-script) domain is followed by
// its punycode form. The page's own text.js, run in Chromium.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TEST_MS, useServerAndBrowser } from './helpers.mjs';
import { browserAvailable } from './prereq.mjs';

/** fillWithLinks(text) in the page: the links, the punycode notes, and the nodes' kinds. */
function render(page, text) {
  return page.evaluate(async (value) => {
    const { fillWithLinks } = await import('/text.js');
    const p = document.createElement('p');
    document.body.append(p);
    fillWithLinks(p, value);
    return {
      links: [...p.querySelectorAll('a')].map((a) => ({
        href: a.getAttribute('href'), text: a.textContent, dir: a.dir,
        isolated: getComputedStyle(a).unicodeBidi,
      })),
      punycode: [...p.querySelectorAll('.punycode')].map((s) => s.textContent),
      isolatedRuns: p.querySelectorAll('bdi').length,
      text: p.textContent,
    };
  }, text);
}

if (browserAvailable('links')) {
  describe('links in messages', { timeout: 60_000 }, () => {
    const env = useServerAndBrowser();

    test('a link shows its href, left to right and isolated', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await page.goto(env.server.url);
      // An override inside the URL would show "…exe.png" reversed while it leads elsewhere.
      const r = await render(page, 'photo: https://files.example/\u202Egnp.exe see');
      assert.equal(r.links.length, 1);
      const [link] = r.links;
      assert.equal(link.href, 'https://files.example/%E2%80%AEgnp.exe');
      assert.equal(link.text, 'https://files.example/%E2%80%AEgnp.exe');
      assert.ok(!link.text.includes('\u202E'));
      assert.equal(link.dir, 'ltr');
      assert.equal(link.isolated, 'isolate');
      // Bidi controls in the text around a link stay in their own isolated run.
      const around = await render(page, '\u202Eevil https://ok.example/a');
      assert.equal(around.isolatedRuns, 1);
      assert.equal(around.links[0].text, 'https://ok.example/a');
      // Readable as before: escapes decoded, the host as written.
      const plain = await render(page, 'https://ja.wikipedia.org/wiki/%E7%BF%BB%E8%A8%B3 and https://example.com');
      assert.deepEqual(plain.links.map((l) => l.text),
        ['https://ja.wikipedia.org/wiki/翻訳', 'https://example.com']);
    });

    test('a mixed-script domain shows its punycode form', { timeout: TEST_MS }, async () => {
      const page = await env.open();
      await page.goto(env.server.url);
      // "аpple" with a Cyrillic а.
      const r = await render(page, 'login at https://\u0430pple.com/id now');
      assert.equal(r.links[0].href, 'https://xn--pple-43d.com/id');
      assert.equal(r.links[0].text, 'https://\u0430pple.com/id');
      assert.deepEqual(r.punycode, [' (xn--pple-43d.com)']);
      // One script, or Japanese's usual mix: no note.
      const fine = await render(page, 'https://例え.jp/ https://münchen.de/ https://日本語ドメイン.jp/');
      assert.deepEqual(fine.punycode, []);
      assert.equal(fine.links[1].text, 'https://münchen.de/');
    });
  });
}
