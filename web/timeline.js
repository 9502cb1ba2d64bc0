// The conversation list: messages kept in `id` order whatever order they
// arrive in, consecutive messages of one sender grouped, a separator for
// each day, an unread divider, "jump to latest", and the unread count in
// the tab title while the tab is hidden.
import { currentLocale, t } from './i18n.js';
import { el, relabelSystemLines } from './render.js';

const GROUP_GAP_MS = 5 * 60 * 1000;
const NEAR_BOTTOM_PX = 80;

function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

/** "Today", "Yesterday", else the date, in the interface language. */
function dayLabel(date) {
  const locale = currentLocale();
  const today = new Date();
  const days = Math.round((new Date(today.toDateString()) - new Date(date.toDateString())) / 86_400_000);
  if (days === 0 || days === 1) {
    const word = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }).format(-days, 'day');
    return word.charAt(0).toLocaleUpperCase(locale) + word.slice(1);
  }
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long', month: 'long', day: 'numeric',
    year: date.getFullYear() === today.getFullYear() ? undefined : 'numeric',
  }).format(date);
}

function senderKey(node) {
  return node.dataset.tag ? `tag:${node.dataset.tag}` : `name:${node.dataset.sender ?? ''}`;
}

function timeOf(node) {
  return node.dataset.ts ? Number(node.dataset.ts) : Date.now();
}

export class Timeline {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.list   the <ol> of messages
   * @param {HTMLButtonElement} parts.jump  "jump to latest"
   * @param {() => string} parts.title  the tab title without an unread count
   * @param {() => void} [parts.onChange] after each change (to mark shared names)
   */
  constructor({ list, jump, title, onChange = () => {} }) {
    Object.assign(this, { list, jump, title, onChange });
    this.unseen = 0; // others' messages not yet seen (hidden tab or scrolled up)
    this.hiddenCount = 0; // others' messages while the tab was hidden
    this.divider = el('li', 'unread-divider');
    this.divider.id = 'unread-divider';
    list.addEventListener('scroll', () => this.onScroll(), { passive: true });
    jump.addEventListener('click', () => this.scrollToBottom());
    document.addEventListener('visibilitychange', () => this.onVisibility());
  }

  nearBottom() {
    const { list } = this;
    return list.scrollHeight - list.scrollTop - list.clientHeight < NEAR_BOTTOM_PX;
  }

  scrollToBottom() {
    this.list.scrollTop = this.list.scrollHeight;
    this.onScroll();
  }

  find(id) {
    if (id === undefined || id === null) return null;
    return this.list.querySelector(`.message[data-id="${CSS.escape(String(id))}"]`);
  }

  /** The newest message id shown, or null. */
  newestId() {
    let newest = null;
    for (const item of this.list.querySelectorAll('.message[data-id]')) {
      if (newest === null || item.dataset.id > newest) newest = item.dataset.id;
    }
    return newest;
  }

  /** Replace everything with `kept` (my messages not yet confirmed). */
  reset(kept = []) {
    this.list.replaceChildren(...kept);
    this.unseen = 0;
    this.refresh();
  }

  /**
   * Put a live item in place: a message by `id` among the others (my own
   * unconfirmed ones stay last), anything else at the end. `fromOthers`
   * counts it as unread when the reader is not looking.
   */
  add(item, { force = false, fromOthers = false } = {}) {
    const follow = force || this.nearBottom();
    this.place(item);
    if (fromOthers) this.noteUnread(item);
    this.decorate();
    if (follow && !(fromOthers && document.hidden)) this.scrollToBottom();
    else this.refresh();
  }

  /** A history page: older messages, in order. Keeps the view where it was unless `fresh`. */
  addHistory(items, { fresh }) {
    const { scrollHeight, scrollTop } = this.list;
    items.forEach((item) => this.place(item));
    this.decorate();
    if (fresh) this.scrollToBottom();
    else this.list.scrollTop = scrollTop + (this.list.scrollHeight - scrollHeight);
  }

  place(item) {
    const id = item.dataset.id;
    if (!item.classList.contains('message') || !id) {
      this.list.append(item);
      return;
    }
    let anchor = null;
    let passedOther = false;
    for (let node = this.list.lastElementChild; node; node = node.previousElementSibling) {
      if (node.matches('.message[data-id]')) {
        if (node.dataset.id < id) break;
        anchor = node;
      } else if (node.matches('.message') && anchor === null && !passedOther) {
        anchor = node; // my unconfirmed messages stay at the end
      } else {
        passedOther = true;
      }
    }
    this.list.insertBefore(item, anchor);
  }

  noteUnread(item) {
    if (document.hidden) {
      this.hiddenCount += 1;
      this.refreshTitle();
    }
    if (!document.hidden && this.nearBottom()) return;
    if (this.unseen === 0) {
      this.divider.textContent = t('unreadDivider');
      this.list.insertBefore(this.divider, item);
    }
    this.unseen += 1;
  }

  /** The reader wrote something: whatever was unread has been seen. */
  clearDivider() {
    this.divider.remove();
    this.unseen = 0;
    this.refresh();
  }

  onScroll() {
    if (this.nearBottom() && !document.hidden) this.unseen = 0;
    this.refresh();
  }

  onVisibility() {
    if (!document.hidden) {
      this.hiddenCount = 0;
      if (this.nearBottom()) this.unseen = 0;
    }
    this.refresh();
  }

  refresh() {
    const away = !this.nearBottom();
    this.jump.hidden = !away;
    this.jump.textContent = this.unseen > 0 && away
      ? t('jumpLatestCount', { count: this.unseen })
      : t('jumpLatest');
    this.refreshTitle();
  }

  refreshTitle() {
    const base = this.title();
    document.title = document.hidden && this.hiddenCount > 0 ? `(${this.hiddenCount}) ${base}` : base;
  }

  /**
   * One pass over the list: a separator before the first message of each
   * day (kept when already right, so screen readers do not hear it again),
   * and `grouped` on a message that follows one from the same sender.
   */
  decorate() {
    const keep = new Set();
    let previous = null;
    let previousDay = null;
    for (const node of [...this.list.children]) {
      if (!node.classList.contains('message')) {
        if (!node.classList.contains('day-separator')) previous = null;
        continue;
      }
      const date = new Date(timeOf(node));
      const day = dayKey(date);
      if (day !== previousDay) {
        let separator = node.previousElementSibling;
        if (!separator?.classList.contains('day-separator') || separator.dataset.day !== day) {
          separator = el('li', 'day-separator', dayLabel(date));
          separator.dataset.day = day;
          this.list.insertBefore(separator, node);
        }
        keep.add(separator);
        previous = null;
      }
      const grouped = previous !== null && senderKey(previous) === senderKey(node)
        && previous.classList.contains('own') === node.classList.contains('own')
        && Math.abs(timeOf(node) - timeOf(previous)) < GROUP_GAP_MS;
      node.classList.toggle('grouped', grouped);
      previous = node;
      previousDay = day;
    }
    for (const separator of this.list.querySelectorAll('.day-separator')) {
      if (!keep.has(separator)) separator.remove();
    }
    this.onChange();
  }

  /** Day labels follow the interface language. */
  relabel() {
    for (const separator of this.list.querySelectorAll('.day-separator')) {
      const [y, m, d] = separator.dataset.day.split('-').map(Number);
      separator.textContent = dayLabel(new Date(y, m - 1, d));
    }
    this.divider.textContent = t('unreadDivider');
    relabelSystemLines(this.list);
    this.refresh();
  }
}
