// Decides whether the page tests can run here. Without Chromium or
// playwright-core they fail with CI=true and are skipped loudly otherwise.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
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

/**
 * Returns true when Apertium and its English–Spanish pair are installed.
 * Otherwise registers one test that fails (CI=true) or is skipped, and
 * returns false.
 */
export function apertiumAvailable(suite) {
  const modes = process.env.HONYAKU_APERTIUM_MODES ?? '/usr/share/apertium/modes';
  const present = ['/usr/bin/apertium', '/usr/local/bin/apertium'].some((path) => existsSync(path))
    && existsSync(`${modes}/eng-spa.mode`);
  if (present) return true;
  const missing = `Apertium with its English–Spanish pair is not installed (${modes}/eng-spa.mode); run scripts/setup.`;
  if (process.env.CI === 'true') {
    test(`${suite}: Apertium is installed`, () => {
      assert.fail(`${missing} With CI=true this is a failure, not a skip.`);
    });
  } else {
    console.log(`\nSKIP: the page tests (${suite}) did not run: ${missing}\n`);
    test(`${suite} (skipped: ${missing})`, { skip: missing }, () => {});
  }
  return false;
}
