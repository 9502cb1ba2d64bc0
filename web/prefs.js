// Join settings: validation (the server's rules, limits from the contract),
// what the browser remembers (localStorage), the page URL and the invite link.
import { t } from './i18n.js';
import { isLanguage } from './languages.js';

const KEY = 'honyaku.prefs';
const CLIENT_KEY = 'honyaku.client';
const TOKEN_KEY = 'honyaku.token';
const ROOM_CHARS = /^[A-Za-z0-9_-]+$/;
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/u;
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const SECRET_CHARS = 32;

let limits = { maxNameChars: 32, maxRoomChars: 64, clientMinChars: 16, clientMaxChars: 64 };

export function configurePrefs(contractLimits) {
  limits = { ...limits, ...contractLimits };
}

export function roomProblem(room) {
  const ok = ROOM_CHARS.test(room) && room.length <= limits.maxRoomChars;
  return ok ? '' : t('errRoom', { max: limits.maxRoomChars });
}

export function nameProblem(name) {
  const length = [...name.trim()].length;
  if (length < 1 || length > limits.maxNameChars) return t('errNameLength', { max: limits.maxNameChars });
  if (CONTROL_RE.test(name)) return t('errNameControl');
  return '';
}

export function langProblem(lang) {
  return isLanguage(lang) ? '' : t('errLang');
}

/** `{name, room, lang, joined}` as last saved; `joined` means "back into the room on reload". */
export function loadPrefs() {
  try {
    const prefs = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return prefs && typeof prefs === 'object' ? prefs : {};
  } catch {
    return {};
  }
}

export function savePrefs({ name, room, lang, joined }) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ name, room, lang, joined: Boolean(joined) }));
  } catch { /* storage disabled: nothing to remember */ }
}

/**
 * This browser's `client` secret: made once from crypto.getRandomValues and
 * kept, so the server gives it the same tag after a reload. Never shown,
 * never put in a link. Without storage it lasts as long as the page.
 */
export function clientSecret() {
  let secret = null;
  try { secret = localStorage.getItem(CLIENT_KEY); } catch { /* storage disabled */ }
  const valid = typeof secret === 'string' && /^[A-Za-z0-9_-]+$/.test(secret)
    && secret.length >= limits.clientMinChars && secret.length <= limits.clientMaxChars;
  if (valid) return secret;
  // 64 symbols: a byte's low 6 bits pick one without bias.
  const bytes = crypto.getRandomValues(new Uint8Array(SECRET_CHARS));
  secret = Array.from(bytes, (b) => SECRET_ALPHABET[b & 63]).join('');
  try { localStorage.setItem(CLIENT_KEY, secret); } catch { /* kept for this page only */ }
  return secret;
}

/** room, lang, name, token from the page's query string (absent → null). `ws` is never read. */
export function pageParams(url = new URL(location.href)) {
  const get = (key) => url.searchParams.get(key);
  return { room: get('room'), lang: get('lang'), name: get('name'), token: get('token') };
}

/**
 * The room token of this tab. Read from the link once, then kept for this
 * tab only (sessionStorage, so a reload still connects) and taken out of
 * the address bar: it stays out of history entries, bookmarks, copied
 * addresses and any Referer.
 */
export function takeToken(url = new URL(location.href)) {
  const given = url.searchParams.get('token');
  if (given === null) return tabToken();
  try { sessionStorage.setItem(TOKEN_KEY, given); } catch { /* kept for this page only */ }
  url.searchParams.delete('token');
  history.replaceState(history.state, '', url);
  return given;
}

/** The token this tab keeps (see `takeToken`), or null. */
export function tabToken() {
  try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; }
}

/** Link that opens the join form for `room` on this page; nothing else is passed on. */
export function shareLink(room, url = new URL(location.href)) {
  const link = new URL(url.pathname, url.origin);
  link.searchParams.set('room', room);
  return link.href;
}

/**
 * Keep the address bar's room (and lang/name when present) in step, without
 * a reload, and drop a `ws=` someone put in the link: it is ignored, and
 * must not travel on when the address is copied.
 */
export function updatePageUrl({ room, lang, name }) {
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  if (url.searchParams.has('lang')) url.searchParams.set('lang', lang);
  if (url.searchParams.has('name')) url.searchParams.set('name', name);
  url.searchParams.delete('ws');
  if (url.href !== location.href) history.replaceState(null, '', url);
}
