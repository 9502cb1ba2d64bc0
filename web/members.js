// The member list: the room's size from the server's `count`, pages of
// members loaded on demand (`next` → `after`), and `presence` join, leave
// and update applied as they come, so no one's list goes stale.
import { t } from './i18n.js';
import { languageLabel } from './languages.js';
import { el, tagElement, validTag } from './render.js';

function entryOf(member) {
  return {
    name: String(member?.name ?? '?'),
    lang: String(member?.lang ?? ''),
    tag: validTag(member?.tag),
  };
}

export class Members {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.list       the <ul>
   * @param {HTMLElement} parts.count      where the room's size goes
   * @param {HTMLButtonElement} parts.more "show more members"
   * @param {(frame: object) => boolean} parts.send
   * @param {() => {name: string, lang: string, tag: string|null}} parts.me
   * @param {() => void} [parts.onChange]
   */
  constructor({ list, count, more, send, me, onChange = () => {} }) {
    Object.assign(this, { list, countNode: count, moreButton: more, send, me, onChange });
    this.entries = [];
    this.count = null;
    this.next = null;
    this.requests = []; // 'first' | 'more', in the order the replies will come
    more.addEventListener('click', () => this.loadMore());
  }

  clear() {
    Object.assign(this, { entries: [], count: null, next: null, requests: [] });
    this.render();
  }

  /** Ask for the first page again. */
  refresh() {
    if (this.send({ action: 'members' })) this.requests.push('first');
  }

  loadMore() {
    if (!this.next || this.requests.includes('more')) return;
    if (this.send({ action: 'members', after: this.next })) this.requests.push('more');
    this.render();
  }

  /** A `joined` frame: its first page replaces the list; replies still on their way are for the old room. */
  fromJoined(frame) {
    this.requests = [];
    this.take(frame, false);
  }

  /** A `members` frame: the next page when one was asked for, else a fresh first page. */
  fromMembers(frame) {
    const kind = this.requests.shift() ?? 'first';
    this.take(frame, kind === 'more');
  }

  /** A refused `members` request. */
  failed() {
    this.requests.shift();
    this.render();
  }

  take(frame, append) {
    const page = Array.isArray(frame.members) ? frame.members.map(entryOf) : [];
    this.entries = append ? [...this.entries, ...page] : page;
    this.next = typeof frame.next === 'string' && frame.next ? frame.next : null;
    this.count = Number.isInteger(frame.count) ? frame.count : null;
    this.render();
  }

  /** Apply a `presence` event to the list as it stands. */
  presence(frame) {
    const tag = validTag(frame.tag);
    const matches = (entry, name, lang) => (tag && entry.tag ? entry.tag === tag
      : entry.name === name && (lang === undefined || entry.lang === lang));
    if (frame.event === 'join') {
      // A member beyond the pages loaded so far belongs on a later page.
      if (this.next === null) this.entries.push(entryOf(frame));
    } else if (frame.event === 'leave') {
      const index = this.entries.findIndex((entry) => matches(entry, String(frame.name ?? ''), frame.lang));
      if (index >= 0) this.entries.splice(index, 1);
    } else if (frame.event === 'update') {
      const before = String(frame.previousName ?? frame.name ?? '');
      const entry = this.entries.find((e) => matches(e, before));
      if (entry) Object.assign(entry, { name: String(frame.name ?? entry.name), lang: String(frame.lang ?? entry.lang) });
    }
    if (Number.isInteger(frame.count)) this.count = frame.count;
    else if (this.count !== null) this.count += { join: 1, leave: -1 }[frame.event] ?? 0;
    this.render();
  }

  /** Whether someone with this tag is in the loaded list. */
  hasTag(tag) {
    return Boolean(tag) && this.entries.some((entry) => entry.tag === tag);
  }

  /** The languages of everyone loaded but me. */
  othersLangs() {
    return this.entries.filter((entry, index) => !this.isMe(entry, index)).map((entry) => entry.lang);
  }

  isMe(entry, index) {
    const me = this.me();
    if (me.tag && entry.tag) return entry.tag === me.tag;
    // No tags (an older server): the first member with my name and language.
    return index === this.entries.findIndex((e) => e.name === me.name && e.lang === me.lang);
  }

  render() {
    this.list.replaceChildren(...this.entries.map((entry, index) => {
      const item = el('li', 'member');
      item.dataset.lang = entry.lang;
      item.dataset.sender = entry.name;
      if (entry.tag) item.dataset.tag = entry.tag;
      const name = el('span', 'member-name', entry.name);
      name.dir = 'auto';
      item.append(name);
      if (entry.tag) item.append(tagElement(entry.tag));
      if (this.isMe(entry, index)) {
        item.classList.add('me');
        item.append(' ', el('span', 'you', t('youMark')));
      }
      item.append(' ', el('span', 'member-lang', languageLabel(entry.lang)));
      return item;
    }));
    const size = this.count ?? this.entries.length;
    this.countNode.textContent = `(${size})`;
    const rest = Math.max(0, size - this.entries.length);
    this.moreButton.hidden = this.next === null;
    this.moreButton.disabled = this.requests.includes('more');
    this.moreButton.textContent = t('membersMore', { count: rest });
    this.onChange();
  }
}
