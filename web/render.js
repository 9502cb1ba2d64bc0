// DOM rendering. Every server-provided string goes through textContent or an
// attribute; nothing here parses HTML.
import { languageLabel } from './languages.js';

const TRANSLATION_ERRORS = {
  unsupported_language_pair: 'Not translated: this language pair is not supported',
  translation_failed: 'Not translated: translation failed',
  translation_unavailable: 'Not translated: translation is unavailable right now',
};

let uniqueId = 0;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function timeElement(ts) {
  const time = el('time', 'time');
  const date = new Date(Number(ts));
  if (Number.isFinite(date.getTime())) {
    time.dateTime = date.toISOString();
    time.title = date.toLocaleString();
    time.textContent = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }
  return time;
}

/**
 * A chat message (`message` frame or history entry).
 * @param {object} msg   the server frame
 * @param {boolean} own  sent by this browser
 */
export function messageElement(msg, own = false) {
  const item = el('li', own ? 'message own' : 'message');
  if (msg.id !== undefined) item.dataset.id = String(msg.id);
  if (msg.clientMsgId !== undefined) item.dataset.clientMsgId = String(msg.clientMsgId);
  if (msg.sourceLang) item.dataset.sourceLang = String(msg.sourceLang);
  if (msg.lang) item.dataset.lang = String(msg.lang);

  const meta = el('div', 'meta');
  const sender = el('span', 'sender', msg.from?.name ?? '?');
  sender.dir = 'auto';
  meta.append(sender, ' ', timeElement(msg.ts));
  if (msg.engine) meta.append(' ', el('span', 'engine', `via ${msg.engine}`));
  item.append(meta);

  const text = el('p', 'text', msg.text ?? '');
  text.dir = 'auto';
  if (msg.lang) text.lang = String(msg.lang);
  item.append(text);

  if (msg.error) {
    const code = String(msg.error);
    const marker = el('p', 'error-marker', `⚠ ${TRANSLATION_ERRORS[code] ?? `Not translated (${code})`}`);
    marker.dataset.code = code;
    item.append(marker);
  }

  if (typeof msg.original === 'string') {
    const id = `original-${++uniqueId}`;
    const source = msg.sourceLang ? languageLabel(msg.sourceLang) : 'unknown language';
    const toggle = el('button', 'toggle-original', 'Show original');
    toggle.type = 'button';
    toggle.setAttribute('aria-expanded', 'false');
    toggle.setAttribute('aria-controls', id);
    const original = el('div', 'original');
    original.id = id;
    original.hidden = true;
    const sourceLabel = el('span', 'source-lang', source);
    const originalText = el('p', 'original-text', msg.original);
    originalText.dir = 'auto';
    if (msg.sourceLang) originalText.lang = String(msg.sourceLang);
    original.append(sourceLabel, originalText);
    toggle.addEventListener('click', () => {
      const show = original.hidden;
      original.hidden = !show;
      toggle.setAttribute('aria-expanded', String(show));
      toggle.textContent = show ? 'Hide original' : 'Show original';
    });
    item.append(toggle, original);
  }
  return item;
}

const LOCAL_STATUS = {
  queued: 'queued, will send when back online',
  sending: 'sending…',
  unconfirmed: 'checking whether it was sent…',
  failed: 'not sent',
};

/** My own message before the server's echo confirms it. */
export function pendingElement(frame, name, lang, state) {
  const item = messageElement({ clientMsgId: frame.clientMsgId, from: { name }, text: frame.text, lang }, true);
  item.querySelector('.time').replaceWith(el('span', 'local-status'));
  setPendingState(item, state);
  return item;
}

export function setPendingState(item, state, reason) {
  item.dataset.state = state;
  item.classList.toggle('pending', state !== 'failed');
  item.classList.toggle('failed', state === 'failed');
  const status = item.querySelector('.local-status');
  if (status) status.textContent = LOCAL_STATUS[state] + (reason ? ` (${reason})` : '');
}

export function presenceElement(frame) {
  const who = frame.name ?? 'Someone';
  const verb = frame.event === 'leave' ? 'left' : 'joined';
  const lang = frame.event === 'join' && frame.lang ? ` · ${languageLabel(frame.lang)}` : '';
  const count = Number.isInteger(frame.count) ? ` · ${frame.count} in the room` : '';
  const item = el('li', 'presence', `${who} ${verb}${lang}${count}`);
  item.dir = 'auto';
  item.dataset.event = String(frame.event ?? '');
  return item;
}

export function errorElement(frame) {
  const code = String(frame.code ?? 'error');
  const item = el('li', 'error-line', `Error ${code}: ${frame.message ?? ''}`);
  item.dataset.code = code;
  if (frame.action) item.dataset.action = String(frame.action);
  return item;
}

export function systemElement(text) {
  return el('li', 'system', text);
}

export function renderMembers(list, members) {
  list.replaceChildren(...(Array.isArray(members) ? members : []).map((member) => {
    const item = el('li', 'member');
    item.dataset.lang = String(member.lang ?? '');
    const name = el('span', 'member-name', member.name ?? '?');
    name.dir = 'auto';
    item.append(name, ' ', el('span', 'member-lang', languageLabel(member.lang)));
    return item;
  }));
}

const STATUS_TEXT = { connecting: 'Connecting…', online: 'Online', offline: 'Offline' };

/**
 * The connection status. While offline with a retry planned, a countdown
 * follows the state; it is hidden from screen readers, which would otherwise
 * read it out every second (the live region announces the state itself).
 */
export function renderStatus(node, state, detail = {}) {
  node.dataset.state = state;
  node.textContent = STATUS_TEXT[state] ?? state;
  if (state === 'offline' && detail.retryInMs !== undefined) {
    const countdown = el('span', 'countdown');
    countdown.setAttribute('aria-hidden', 'true');
    node.append(countdown);
    updateCountdown(node, detail.retryInMs);
  }
}

/** Show `ms` until the next retry in the status's countdown, if it has one. */
export function updateCountdown(node, ms) {
  const countdown = node.querySelector('.countdown');
  if (!countdown) return;
  const seconds = Math.ceil(Math.max(0, ms) / 1000);
  countdown.textContent = seconds > 0 ? ` · retrying in ${seconds} s` : ' · retrying…';
}

/** Show (or, with an empty text, hide) #engine-banner with `text`. */
export function showEngineBanner(node, text) {
  node.querySelector('#engine-banner-text').textContent = text;
  node.hidden = !text;
}
