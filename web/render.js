// DOM for single items: messages, presence and system lines, the status.
// Every server-provided string goes in through textContent or an
// attribute; nothing here parses HTML.
import { isolateMentions } from './bidi.js';
import { fillMessageText } from './code.js';
import { currentLocale, t, tIsolated } from './i18n.js';
import { languageInUi, languageLabel } from './languages.js';
import { untranslatedMarker } from './untranslated.js';

/** Refusals the page words itself; any other code shows the server's sentence. */
const KNOWN_ERRORS = new Set([
  'bad_request', 'invalid_room', 'invalid_lang', 'invalid_name', 'empty_text', 'text_too_long',
  'rate_limited', 'room_full', 'unauthorized', 'internal',
]);
/** v1.2's refusals of an action on a message (edit, delete, correct, reply, react), in words. */
export const REFUSALS = {
  not_found: 'amendErrNotFound', not_yours: 'amendErrNotYours', too_old: 'amendErrTooOld',
  forbidden: 'amendErrForbidden',
};
const TAG_RE = /^[0-9a-f]{4,64}$/;

let uniqueId = 0;

export function el(tag, className, text) {
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
    time.title = date.toLocaleString(currentLocale());
    time.textContent = date.toLocaleTimeString(currentLocale(), { hour: '2-digit', minute: '2-digit' });
  }
  return time;
}

/** A short form of a sender's tag ("#3f9a"), shown where two people share a name. */
export function tagElement(tag) {
  const node = el('span', 'tag', `#${String(tag).slice(0, 4)}`);
  node.title = t('tagTitle', { tag: String(tag) });
  return node;
}

export function validTag(tag) {
  return typeof tag === 'string' && TAG_RE.test(tag) ? tag : null;
}

/**
 * A chat message (`message` frame or history entry).
 * @param {object} msg   the server frame
 * @param {object} [how]
 * @param {boolean} [how.own]      sent by this person
 * @param {boolean} [how.mention]  mentions the reader's name
 */
export function messageElement(msg, { own = false, mention = false } = {}) {
  const item = el('li', 'message');
  item.classList.toggle('own', own);
  item.classList.toggle('mention', mention && !own);
  if (msg.id !== undefined) item.dataset.id = String(msg.id);
  if (msg.clientMsgId !== undefined) item.dataset.clientMsgId = String(msg.clientMsgId);
  if (msg.sourceLang) item.dataset.sourceLang = String(msg.sourceLang);
  if (msg.lang) item.dataset.lang = String(msg.lang);
  if (Number.isFinite(Number(msg.ts)) && msg.ts !== undefined) item.dataset.ts = String(Number(msg.ts));
  const tag = validTag(msg.from?.tag);
  if (tag) item.dataset.tag = tag;
  item.dataset.sender = String(msg.from?.name ?? '');

  const meta = el('div', 'meta');
  const sender = el('span', 'sender', msg.from?.name ?? '?');
  sender.dir = 'auto';
  meta.append(sender);
  if (tag) meta.append(tagElement(tag));
  meta.append(' ', timeElement(msg.ts));
  if (msg.engine) {
    const via = typeof msg.via === 'string' && msg.via ? languageInUi(msg.via) : null;
    const engine = el('span', 'engine', via
      ? t('byEngineVia', { engine: msg.engine, lang: via })
      : t('byEngine', { engine: msg.engine }));
    if (via) engine.dataset.via = String(msg.via);
    meta.append(' ', engine);
  }
  item.append(meta);

  const text = el('p', 'text');
  fillMessageText(text, msg.text ?? '');
  isolateMentions(text);
  text.dir = 'auto';
  if (msg.lang) text.lang = String(msg.lang);
  item.append(text);

  // Untranslated, the text is the original: its language is the sender's.
  if (msg.error) {
    if (msg.sourceLang) text.lang = String(msg.sourceLang);
    item.append(untranslatedMarker(item, msg, tag ? `tag:${tag}` : `name:${item.dataset.sender}`));
  }

  // "Show original" only when it would show something else.
  if (typeof msg.original === 'string' && msg.original.trim() !== String(msg.text ?? '').trim()) {
    item.append(...originalToggle(msg));
  }
  return item;
}

function originalToggle(msg) {
  const id = `original-${++uniqueId}`;
  const toggle = el('button', 'toggle-original', t('showOriginal'));
  toggle.type = 'button';
  toggle.setAttribute('aria-expanded', 'false');
  toggle.setAttribute('aria-controls', id);
  const original = el('div', 'original');
  original.id = id;
  original.hidden = true;
  const source = msg.sourceLang ? languageLabel(msg.sourceLang) : t('unknownLanguage');
  const originalText = el('p', 'original-text');
  fillMessageText(originalText, msg.original);
  isolateMentions(originalText);
  originalText.dir = 'auto';
  if (msg.sourceLang) originalText.lang = String(msg.sourceLang);
  original.append(el('span', 'source-lang', source), originalText);
  toggle.addEventListener('click', () => {
    const show = original.hidden;
    original.hidden = !show;
    toggle.setAttribute('aria-expanded', String(show));
    toggle.textContent = show ? t('hideOriginal') : t('showOriginal');
  });
  return [toggle, original];
}

const LOCAL_STATUS = {
  queued: 'pendingQueued', sending: 'pendingSending', unconfirmed: 'pendingUnconfirmed', failed: 'pendingFailed',
};

/** My own message before the server's echo confirms it. */
export function pendingElement(frame, name, lang, state) {
  const item = messageElement({ clientMsgId: frame.clientMsgId, from: { name }, text: frame.text, lang },
    { own: true });
  item.querySelector('.time').replaceWith(el('span', 'local-status'));
  setPendingState(item, state);
  return item;
}

/** `reason`: an i18n key, or a server sentence when `reasonText` is set. */
export function setPendingState(item, state, reason) {
  item.dataset.state = state;
  item.classList.toggle('pending', state !== 'failed');
  item.classList.toggle('failed', state === 'failed');
  const status = item.querySelector('.local-status');
  if (status) status.textContent = t(LOCAL_STATUS[state]) + (reason ? ` (${reason})` : '');
}

/** A member arriving, leaving or changing name or language; names and languages isolated (<bdi>). */
export function presenceElement(frame) {
  const name = String(frame.name ?? t('someone'));
  let parts;
  if (frame.event === 'update') {
    const renamed = typeof frame.previousName === 'string' && frame.previousName !== frame.name;
    parts = renamed
      ? tIsolated('presenceRenamed', { previous: frame.previousName, name })
      : tIsolated('presenceLang', { name, lang: languageLabel(frame.lang) });
  } else if (frame.event === 'leave') {
    parts = tIsolated('presenceLeft', { name });
  } else {
    parts = tIsolated('presenceJoined', { name });
    if (frame.lang) parts.push(' · ', el('bdi', '', languageLabel(frame.lang)));
  }
  if (Number.isInteger(frame.count)) parts.push(` · ${t('inRoomCount', { count: frame.count })}`);
  const item = el('li', 'presence');
  item.append(...parts);
  item.dataset.event = String(frame.event ?? '');
  const tag = validTag(frame.tag);
  if (tag) item.dataset.tag = tag;
  return item;
}

/** The sentence for a refused action, in the reader's language when the page knows the code. */
export function errorText(frame) {
  const code = String(frame.code ?? 'error');
  if (KNOWN_ERRORS.has(code)) return t(`err_${code}`);
  return Object.hasOwn(REFUSALS, code) ? t(REFUSALS[code]) : String(frame.message ?? code);
}

export function errorElement(frame) {
  const code = String(frame.code ?? 'error');
  const item = el('li', 'error-line', errorText(frame));
  item.dataset.code = code;
  if (frame.message) item.title = String(frame.message);
  if (frame.action) item.dataset.action = String(frame.action);
  return item;
}

/** A line about the session, in the interface language; `relabelSystemLines` says it again in a new one. */
export function systemElement(key, params = {}) {
  const item = el('li', 'system', t(key, params));
  item.dataset.key = key;
  item.dataset.params = JSON.stringify(params);
  return item;
}

export function relabelSystemLines(list) {
  for (const item of list.querySelectorAll('.system[data-key]')) {
    item.textContent = t(item.dataset.key, JSON.parse(item.dataset.params));
  }
}

const STATUS_KEYS = { connecting: 'statusConnecting', online: 'statusOnline', offline: 'statusOffline' };

export function renderStatus(node, state) {
  node.dataset.state = state;
  node.textContent = t(STATUS_KEYS[state] ?? state);
}

/** Show `ms` until the next retry in `node` (the offline bar's countdown). */
export function updateCountdown(node, ms) {
  const seconds = Math.ceil(Math.max(0, ms) / 1000);
  node.textContent = seconds > 0 ? t('retryIn', { seconds }) : t('retrying');
}

/** Show (or, with an empty text, hide) #engine-banner with `text`. */
export function showEngineBanner(node, text) {
  node.querySelector('#engine-banner-text').textContent = text;
  node.hidden = !text;
}
