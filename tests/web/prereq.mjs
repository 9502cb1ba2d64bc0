// Decides whether the page tests can run here. Without Chromium or
// playwright-core they fail with CI=true and are skipped loudly otherwise.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { missingBrowser } from './helpers.mjs';

/**
 * Returns true when the browser tests can run. Otherwise registers one test
 * that fails (CI=true) or is skipped (elsewhere), and returns false.
 */
export function browserAvailable(suite) {
  const missing = missingBrowser();
  if (!missing) return true;
  if (process.env.CI === 'true') {
    test(`${suite}: Chromium and playwright-core are installed`, () => {
      assert.fail(`The page tests cannot run: ${missing} With CI=true this is a failure, not a skip.`);
    });
  } else {
    const line = `SKIP: the page tests (${suite}) did not run: ${missing}`;
    const bar = '*'.repeat(Math.min(line.length, 100));
    console.log(`\n${bar}\n${line}\n${bar}\n`);
    test(`${suite} (skipped: ${missing})`, { skip: missing }, () => {});
  }
  return false;
}
