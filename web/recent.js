// "Rooms you came from" on the join view: the rooms this browser joined
// (room, language, name), newest first, kept only in localStorage. One click
// rejoins; "Forget" removes one.
import { t, tIsolated } from './i18n.js';
import { isLanguage, languageLabel } from './languages.js';
import { el } from './render.js';

const KEY = 'honyaku.recent';
const MAX_ROOMS = 8;

function valid(entry) {
  return entry && typeof entry === 'object' && typeof entry.room === 'string' && entry.room
    && typeof entry.lang === 'string' && typeof entry.name === 'string';
}

export function loadRecent() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) ?? '[]');
    return Array.isArray(list) ? list.filter(valid).slice(0, MAX_ROOMS) : [];
  } catch {
    return [];
  }
}

function saveRecent(list) {
  try { localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX_ROOMS))); } catch { /* storage disabled */ }
}

export class RecentRooms {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.after  the join form: the list goes after it
   * @param {(entry: {room: string, lang: string, name: string}) => void} parts.onRejoin
   */
  constructor({ after, onRejoin }) {
    this.onRejoin = onRejoin;
    this.section = el('section', 'recent-rooms');
    this.section.id = 'recent-rooms';
    this.section.setAttribute('aria-labelledby', 'recent-title');
    this.title = el('h2', '', t('recentTitle'));
    this.title.id = 'recent-title';
    this.title.dataset.i18n = 'recentTitle';
    this.list = el('ul', 'recent-list');
    this.section.append(this.title, this.list);
    after.after(this.section);
    this.render();
  }

  /** Remember a room just joined (moves it to the top). */
  remember({ room, lang, name }) {
    if (!room) return;
    const list = loadRecent().filter((entry) => entry.room !== room);
    list.unshift({ room, lang, name, at: Date.now() });
    saveRecent(list);
  }

  forget(room) {
    saveRecent(loadRecent().filter((entry) => entry.room !== room));
    this.render();
  }

  /** Draw the list (on showing the join view, and when the interface language changes). */
  render() {
    const entries = loadRecent();
    this.section.hidden = entries.length === 0;
    this.list.replaceChildren(...entries.map((entry) => this.item(entry)));
  }

  item(entry) {
    const li = el('li', 'recent-room');
    li.dataset.room = entry.room;
    const rejoin = el('button', 'recent-rejoin');
    rejoin.type = 'button';
    const room = el('span', 'recent-name', entry.room);
    room.dir = 'ltr';
    const lang = isLanguage(entry.lang) ? languageLabel(entry.lang) : entry.lang;
    const detail = el('span', 'recent-detail');
    detail.append(...tIsolated('recentDetail', { lang, name: entry.name }));
    rejoin.append(room, ' ', detail);
    rejoin.addEventListener('click', () => this.onRejoin(entry));
    const forget = el('button', 'recent-forget', t('forget'));
    forget.type = 'button';
    forget.setAttribute('aria-label', t('forgetRoom', { room: entry.room }));
    forget.addEventListener('click', () => {
      const next = li.nextElementSibling ?? li.previousElementSibling;
      this.forget(entry.room);
      // Keep the keyboard where it was: the neighbour's Forget, else the form.
      const target = next && this.list.querySelector(`[data-room="${CSS.escape(next.dataset.room)}"] .recent-forget`);
      (target ?? document.getElementById('name'))?.focus();
    });
    li.append(rejoin, forget);
    return li;
  }
}
