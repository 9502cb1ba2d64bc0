// Shared pieces of the page tests: the real `honyaku serve` binary on port 0
// with a temporary redb store, Debian's Chromium through playwright-core, and
// pages that record everything the browser complains about.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO = resolve(HERE, '..', '..');
export const BIN = resolve(REPO, process.env.HONYAKU_BIN ?? 'target/debug/honyaku');
export const WEB_DIR = join(REPO, 'web');
/** Screenshots of every run (git ignores target/). */
export const ARTIFACTS = join(REPO, 'target', 'web');
export const CHROMIUM = process.env.HONYAKU_CHROMIUM ?? '/usr/bin/chromium';

/** Every wait in these tests is bounded by one of these. */
export const WAIT_MS = 5_000;
export const START_MS = 15_000;
/** One test, start to end. */
export const TEST_MS = 30_000;
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
export const PHONE_OPTIONS = { viewport: PHONE, isMobile: true, hasTouch: true };

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  // Without these Chromium stalls on a network that reaches nothing.
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * Why the browser half cannot run here (Chromium or playwright-core missing),
 * or null when it can.
 */
export function missingBrowser() {
  const missing = [];
  if (!existsSync(CHROMIUM)) missing.push(`Chromium is not installed at ${CHROMIUM}`);
  if (!existsSync(join(HERE, 'node_modules', 'playwright-core'))) {
    missing.push('tests/web/node_modules is missing (playwright-core is not installed)');
  }
  if (missing.length === 0) return null;
  return `${missing.join(' and ')}; run scripts/setup to install them.`;
}

/**
 * For one `describe`: start `honyaku serve` (redb in a temporary directory)
 * and Chromium before its tests, stop both after them. The returned object
 * is filled in before the first test: `server` (replaced by `restart`),
 * `browser`, `dataDir`, every page `open` made, and `open(options)` for a
 * page in a fresh browser context (its own localStorage: another person).
 * @param {object} [options]
 * @param {string[]} [options.args]  extra `honyaku serve` arguments
 */
export function useServerAndBrowser({ args = [] } = {}) {
  const env = {
    server: null, browser: null, dataDir: null, pages: [],
    async open(options = {}) {
      const context = await env.browser.newContext({ viewport: DESKTOP, ...options });
      context.setDefaultTimeout(WAIT_MS);
      const page = await newPage(context);
      env.pages.push(page);
      return page;
    },
    /** Start the server again on the same port and data (after `server.stop()` or `crash()`). */
    async restart() {
      env.server = await startServer({ dataDir: env.dataDir, port: env.server.port, args });
      return env.server;
    },
  };
  before(async () => {
    env.dataDir = tempDataDir();
    ({ server: env.server, browser: env.browser } = await startAll({ dataDir: env.dataDir, args }));
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
    if (env.dataDir) removeDir(env.dataDir);
  });
  return env;
}

/**
 * Nothing went wrong in any page: no CSP violation, uncaught exception,
 * dialog, or console error or warning (but those matching `allow`).
 */
export function assertNoProblems(pages, { allow = [] } = {}) {
  assert.ok(pages.length > 0, 'pages were opened');
  for (const page of pages) {
    assert.deepEqual(page.problems.csp, [], 'CSP violations');
    assert.deepEqual(page.problems.pageErrors, [], 'uncaught exceptions');
    assert.deepEqual(page.problems.dialogs, [], 'dialogs');
    const unexpected = page.problems.console.filter((line) => !allow.some((re) => re.test(line)));
    assert.deepEqual(unexpected, [], 'console errors and warnings');
  }
}

/** While the server is down Chromium logs failed WebSocket connects; nothing else is expected. */
export const WEBSOCKET_FAILED = /WebSocket connection to .* failed/;

/**
 * Start the server and the browser side by side. If either fails, the other
 * is stopped before the error is thrown, so nothing is left running.
 */
export async function startAll({ dataDir, args = [] }) {
  const [server, browser] = await Promise.allSettled([startServer({ dataDir, args }), launchBrowser()]);
  if (server.status === 'fulfilled' && browser.status === 'fulfilled') {
    return { server: server.value, browser: browser.value };
  }
  if (browser.status === 'fulfilled') await browser.value.close().catch(() => {});
  if (server.status === 'fulfilled') await server.value.stop().catch(() => {});
  throw server.status === 'rejected' ? server.reason : browser.reason;
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: START_MS });
}

// ---------- the server ----------

export function tempDataDir() {
  return mkdtempSync(join(tmpdir(), 'honyaku-web-'));
}

export function removeDir(dir) {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Start `honyaku serve` and resolve once it prints its address.
 * `stop()` sends SIGTERM and waits; `crash()` sends SIGKILL and waits.
 * @returns {Promise<{url: string, port: number, child: import('node:child_process').ChildProcess,
 *   logs: () => string, stop: () => Promise<void>, crash: () => Promise<void>}>}
 */
export async function startServer({ dataDir, port = 0, args = [] }) {
  if (!existsSync(BIN)) {
    throw new Error(`the server binary ${BIN} does not exist; build it with \`cargo build --bin honyaku\` (or set HONYAKU_BIN)`);
  }
  // A port just freed by a stopped server may take a moment to bind again.
  const deadline = Date.now() + START_MS;
  for (;;) {
    try {
      return await spawnServer({ dataDir, port, args });
    } catch (error) {
      if (port === 0 || Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

function spawnServer({ dataDir, port, args }) {
  // The test translator unless the suite names another.
  const translator = args.includes('--translator') ? [] : ['--translator', 'pseudo'];
  const child = spawn(BIN, [
    'serve', '--addr', `127.0.0.1:${port}`, '--store', 'redb', '--data', dataDir,
    ...translator, '--web', WEB_DIR, ...args,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk) => { stderr = (stderr + chunk).slice(-20_000); });
  const logs = () => stderr;
  // Never outlive the test process, however it ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise((done) => child.once('exit', (code, signal) => {
    process.removeListener('exit', killOnExit);
    done({ code, signal });
  }));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGCONT'); // in case a test froze it
    child.kill('SIGTERM');
    let timer;
    const timedOut = new Promise((done) => { timer = setTimeout(() => done(null), 10_000); });
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === null) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`honyaku serve did not stop within 10 s of SIGTERM:\n${logs()}`);
    }
  };

  const crash = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGKILL');
    await exited;
  };

  return new Promise((resolveStart, rejectStart) => {
    let stdout = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectStart(new Error(`honyaku serve printed no address within ${START_MS} ms:\n${logs()}`));
    }, START_MS);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /^listening on (http:\/\/[^\s]+)\s*$/m.exec(stdout);
      if (!match) return;
      clearTimeout(timer);
      const url = match[1];
      resolveStart({ url, port: Number(new URL(url).port), child, logs, stop, crash });
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      rejectStart(new Error(`honyaku serve exited (${code ?? signal}) before listening:\n${logs()}`));
    });
  });
}

// ---------- pages ----------

/**
 * A new page in `context` whose console errors, uncaught exceptions, dialogs
 * and CSP violations are recorded in `page.problems`.
 */
export async function newPage(context) {
  const page = await context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  const problems = { console: [], pageErrors: [], dialogs: [], csp: [] };
  page.problems = problems;
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.console.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('pageerror', (error) => problems.pageErrors.push(String(error)));
  page.on('dialog', async (dialog) => {
    problems.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    await dialog.dismiss().catch(() => {});
  });
  await page.exposeFunction('__reportCspViolation', (text) => problems.csp.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.__reportCspViolation(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
    });
  });
  return page;
}

/** Open the page with a direct-join link and wait until it is online. */
export async function joinDirect(page, baseUrl, { room, lang, name }) {
  const url = new URL('/', baseUrl);
  Object.entries({ room, lang, name }).forEach(([key, value]) => url.searchParams.set(key, value));
  const response = await page.goto(url.href);
  await waitOnline(page);
  return response;
}

/** Open `url` and wait until the page has its strings and has filled its form. */
export async function openPage(page, url) {
  const response = await page.goto(url);
  await page.locator('html:not(.loading)').waitFor({ state: 'attached' });
  return response;
}

/** Fill the join form by hand and submit it. */
export async function joinByForm(page, baseUrl, { room, lang, name }) {
  await openPage(page, new URL('/', baseUrl).href);
  await page.fill('#name', name);
  await page.fill('#room', room);
  await page.selectOption('#lang', lang);
  await page.click('#join-button');
  await waitOnline(page);
}

export function waitOnline(page, timeout = WAIT_MS) {
  return page.locator('#status[data-state="online"]').waitFor({ timeout });
}

export async function send(page, text) {
  await page.fill('#composer', text);
  await page.click('#send-button');
}

/**
 * Route the page's WebSocket through the test, to the real server, so a
 * test can hand the page frames the server would send only in rare cases
 * (a late delivery, a room of thousands, a refusal). `inject(frame)` sends
 * one to the page; `sent` lists what the page sent; `drop` may hold some back.
 */
export async function throughTest(page) {
  // drop(frame): true keeps a frame from the page away from the server.
  const tap = { route: null, sent: [], drop: () => false };
  await page.routeWebSocket(/\/local(\?|$)/, (ws) => {
    tap.route = ws;
    const server = ws.connectToServer();
    ws.onMessage((message) => {
      let frame = null;
      try { frame = JSON.parse(message); } catch { /* not JSON */ }
      if (frame) tap.sent.push(frame);
      if (!frame || !tap.drop(frame)) server.send(message);
    });
    server.onMessage((message) => ws.send(message));
  });
  tap.inject = (frame) => {
    assert.ok(tap.route, 'the page has connected');
    tap.route.send(JSON.stringify(frame));
  };
  return tap;
}

/** Pretend the tab is hidden (true) or shown again (false), as the page sees it. */
export async function setTabHidden(page, hidden) {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => value });
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (value ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

/** Open a raw WebSocket from the page's origin and keep it in `window[name]` (a second person, a bot). */
export async function rawSocket(page, name, query) {
  await page.evaluate(async ([key, params]) => {
    const ws = new WebSocket(`ws://${location.host}/local?${new URLSearchParams(params)}`);
    ws.frames = [];
    ws.onmessage = (event) => ws.frames.push(JSON.parse(event.data));
    await new Promise((ok, fail) => { ws.onopen = ok; ws.onerror = fail; setTimeout(fail, 5000); });
    window[key] = ws;
  }, [name, query]);
}

/** The `.message` whose `.text` is exactly `text`. */
export function messageWithText(page, text) {
  return page.locator('#messages .message').filter({
    has: page.locator('.text', { hasText: new RegExp(`^${escapeRegExp(text)}$`) }),
  });
}

/** Wait until exactly one confirmed (`data-id`) message shows `text`. */
export async function waitForMessage(page, text, timeout = WAIT_MS) {
  const item = messageWithText(page, text);
  await item.and(page.locator('[data-id]')).first().waitFor({ timeout });
  return item;
}

/** The element is rendered, visible, and wholly inside the viewport. */
export async function assertInViewport(page, locator, viewport) {
  const box = await locator.first().boundingBox();
  assert.ok(box, 'the element is rendered');
  assert.ok(await locator.first().isVisible(), 'the element is visible');
  const inside = box.x >= 0 && box.y >= 0 && box.x + box.width <= viewport.width + 0.5
    && box.y + box.height <= viewport.height + 0.5;
  assert.ok(inside, `the element (${JSON.stringify(box)}) is inside the ${viewport.width}x${viewport.height} viewport`);
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  await page.screenshot({ path });
  return path;
}

/** Width and height from a PNG's IHDR chunk. */
export function pngSize(path) {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 1, 4) !== 'PNG') throw new Error(`${path} is not a PNG`);
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

export function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
