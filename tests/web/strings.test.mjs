// The string tables (web/i18n/*.json): each has every string English has,
// with the same placeholders, and plural entries only where a count is.
// Plain node: no browser needed.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { WEB_DIR } from './helpers.mjs';

const DIR = join(WEB_DIR, 'i18n');
const load = (file) => JSON.parse(readFileSync(join(DIR, file), 'utf8'));
const placeholders = (entry) => [...new Set(
  (typeof entry === 'string' ? [entry] : Object.values(entry)).flatMap((text) => text.match(/\{\w+\}/g) ?? []),
)].sort();

test('every string table has every English string, with the same placeholders', () => {
  const english = load('en.json');
  const files = readdirSync(DIR).filter((file) => file.endsWith('.json'));
  const required = ['en', 'ja', 'es', 'fr', 'pt', 'de', 'zh', 'ko', 'ar'];
  for (const code of required) assert.ok(files.includes(`${code}.json`), `${code}.json is shipped`);
  // i18n.js lists the tables it may fetch; it must list exactly these.
  const listed = /const TABLES = new Set\(\[([^\]]*)\]\)/.exec(readFileSync(join(WEB_DIR, 'i18n.js'), 'utf8'))[1]
    .match(/'([^']+)'/g).map((quoted) => `${quoted.slice(1, -1)}.json`).sort();
  assert.deepEqual(listed, [...files].sort(), 'i18n.js TABLES matches web/i18n/');
  for (const file of files) {
    const table = load(file);
    assert.deepEqual(Object.keys(table).sort(), Object.keys(english).sort(), `${file}: the same keys as en.json`);
    for (const [key, entry] of Object.entries(table)) {
      assert.deepEqual(placeholders(entry), placeholders(english[key]), `${file} ${key}: placeholders`);
      if (typeof entry === 'object') assert.ok('other' in entry, `${file} ${key}: a plural entry has "other"`);
      if (file !== 'en.json' && typeof entry === 'string' && entry.length > 12) {
        assert.notEqual(entry, english[key], `${file} ${key}: translated`);
      }
    }
  }
});
