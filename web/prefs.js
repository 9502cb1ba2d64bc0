// Join settings: validation (same rules as the server), localStorage, page URL.
import { isLanguage } from './languages.js';

const KEY = 'honyaku.prefs';
const ROOM_RE = /^[A-Za-z0-9_-]{1,64}$/;
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/u;

export function roomProblem(room) {
  return ROOM_RE.test(room) ? '' : 'Room: 1 to 64 letters, digits, _ or -.';
}

export function nameProblem(name) {
  const length = [...name.trim()].length;
  if (length < 1 || length > 32) return 'Name: 1 to 32 characters.';
  if (CONTROL_RE.test(name)) return 'Name: no control characters.';
  return '';
}

export function langProblem(lang) {
  return isLanguage(lang) ? '' : 'Pick a language from the list.';
}

export function loadPrefs() {
  try {
    const prefs = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return prefs && typeof prefs === 'object' ? prefs : {};
  } catch {
    return {};
  }
}

export function savePrefs({ name, room, lang }) {
  try {
    localStorage.setItem(KEY, JSON.stringify({ name, room, lang }));
  } catch { /* storage disabled: nothing to remember */ }
}

/** room, lang, name, ws, token from the page's query string (absent → null). */
export function pageParams(url = new URL(location.href)) {
  const get = (key) => url.searchParams.get(key);
  return { room: get('room'), lang: get('lang'), name: get('name'), ws: get('ws'), token: get('token') };
}

/** Link that opens the join form for `room` (on the same server, if ?ws= chose one). */
export function shareLink(room, url = new URL(location.href)) {
  const link = new URL(url.pathname, url.origin);
  link.searchParams.set('room', room);
  const ws = url.searchParams.get('ws');
  if (ws) link.searchParams.set('ws', ws);
  return link.href;
}

/** Keep the address bar's room (and lang/name when present) in step, without a reload. */
export function updatePageUrl({ room, lang, name }) {
  const url = new URL(location.href);
  url.searchParams.set('room', room);
  if (url.searchParams.has('lang')) url.searchParams.set('lang', lang);
  if (url.searchParams.has('name')) url.searchParams.set('name', name);
  if (url.href !== location.href) history.replaceState(null, '', url);
}
