// WebSocket life cycle: endpoint discovery, reconnect with backoff and jitter,
// keepalive pings, and an outbox for frames typed while offline.

import { loadConfig, loadStatus } from './contract.js';

const KEEPALIVE_MS = 5 * 60 * 1000; // API Gateway closes idle sockets after 10 min
const BACKOFF_BASE_MS = 500;
/** While someone looks at the page a retry is never more than a few seconds away. */
const BACKOFF_CAP_VISIBLE_MS = 3 * 1000;
const BACKOFF_CAP_HIDDEN_MS = 30 * 1000;
const STABLE_MS = 10 * 1000; // open this long before the backoff resets
const STAGE_RE = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Base WebSocket URL: `ws` in config.json served with the page (how a page
 * hosted for a deployment names its wss:// endpoint), else this origin at
 * `/{stage}` (the stage from /status.json, default `local`). Never from
 * the page URL: a crafted `?ws=` link must not move the chat elsewhere.
 */
export async function resolveWsBase(pageUrl = new URL(location.href)) {
  const config = await loadConfig();
  if (typeof config.ws === 'string' && config.ws) {
    const configured = toWsUrl(config.ws, pageUrl);
    if (configured) return configured;
  }
  const status = await loadStatus();
  const stage = typeof status?.stage === 'string' && STAGE_RE.test(status.stage) ? status.stage : 'local';
  const scheme = pageUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${pageUrl.host}/${stage}`;
}

/** A ws:// or wss:// URL (http(s) turned into it), or null for anything else. */
function toWsUrl(value, base) {
  let url;
  try { url = new URL(value, base); } catch { return null; }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.protocol === 'ws:' || url.protocol === 'wss:' ? url.href : null;
}

/** Append params with encodeURIComponent (%20, never '+'), keeping any existing query. */
export function buildWsUrl(base, params) {
  const query = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`)
    .join('&');
  const [head, hash] = base.split('#');
  const joined = head + (head.includes('?') ? (/[?&]$/.test(head) ? '' : '&') : '?') + query;
  return hash === undefined ? joined : `${joined}#${hash}`;
}

export function backoffDelay(attempt, random = Math.random, visible = !document.hidden) {
  const cap = visible ? BACKOFF_CAP_VISIBLE_MS : BACKOFF_CAP_HIDDEN_MS;
  const ceiling = Math.min(cap, BACKOFF_BASE_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2)); // "equal jitter"
}

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.base              base WebSocket URL
   * @param {() => object} options.params      query params for the next connect
   * @param {(frame: object) => void} options.onFrame
   * @param {(state: string, detail?: object) => void} options.onState
   * @param {() => void} options.onOpen        runs before the outbox is flushed
   * @param {(frame: object) => void} [options.onSent] an outbox frame went out
   */
  constructor(options) {
    Object.assign(this, { onSent() {} }, options);
    this.socket = null;
    this.attempt = 0;
    this.retryAt = 0;
    this.outbox = [];
    this.retryTimer = null;
    this.keepaliveTimer = null;
    this.stopped = true;
  }

  get isOpen() {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.drop();
    this.onState('offline');
  }

  /** Close the current socket (if any) and connect again right away. */
  reconnectNow() {
    if (this.stopped) return;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    this.drop();
    this.connect();
  }

  connect() {
    clearTimeout(this.retryTimer);
    this.onState('connecting');
    let socket;
    try {
      socket = new WebSocket(buildWsUrl(this.base, this.params()));
    } catch (error) {
      this.onState('offline', { error: String(error) });
      return;
    }
    this.socket = socket;
    let openedAt = 0;
    socket.addEventListener('open', () => {
      if (socket !== this.socket) return;
      openedAt = Date.now();
      this.onState('online');
      this.keepaliveTimer = setInterval(() => this.send({ action: 'ping' }), KEEPALIVE_MS);
      this.onOpen();
      this.flush();
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.socket) return;
      let frame;
      try { frame = JSON.parse(event.data); } catch { return; }
      if (frame && typeof frame === 'object') this.onFrame(frame);
    });
    socket.addEventListener('close', (event) => {
      if (socket !== this.socket) return;
      this.drop();
      if (openedAt && Date.now() - openedAt >= STABLE_MS) this.attempt = 0;
      this.scheduleRetry({ code: event.code, wasOpen: openedAt > 0 });
    });
  }

  /** The page came back into view: a retry planned for later than the visible cap comes sooner. */
  onVisible() {
    if (this.stopped || this.socket !== null) return;
    if (this.retryAt - Date.now() > BACKOFF_CAP_VISIBLE_MS) this.reconnectNow();
  }

  drop() {
    clearInterval(this.keepaliveTimer);
    const socket = this.socket;
    this.socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
  }

  scheduleRetry(detail) {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt++);
    this.retryAt = Date.now() + delay;
    this.onState('offline', { ...detail, retryInMs: delay });
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  /** Send now if open; returns false (frame not sent) otherwise. */
  send(frame) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** Send now, or keep until the next open. Each frame goes out exactly once. */
  enqueue(frame) {
    this.outbox.push(frame);
    this.flush();
  }

  flush() {
    while (this.outbox.length > 0 && this.send(this.outbox[0])) {
      this.onSent(this.outbox.shift());
    }
  }
}
