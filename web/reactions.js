// Reactions (protocol v1.2): a row of emoji counts under a message, mine
// pressed (aria-pressed); a click toggles mine. "Add a reaction" opens a
// small picker of common emoji plus a field for any other. The tallies
// come from `history` (with the tags of the first 20 who reacted) and are
// kept by message id, so they survive a message being drawn again; each
// `reaction` frame sets an emoji's count and, when it is mine, my state.
import { t } from './i18n.js';
import { newClientMsgId } from './pending.js';
import { el, errorText } from './render.js';

export const COMMON = ['👍', '❤️', '😂', '🎉', '😮', '😢', '🙏', '👀'];
const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const EMOJI_RE = /^(?:\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3)/u;
const REFUSALS = { too_many_reactions: 'reactErrTooMany', not_found: 'reactErrNotFound', bad_request: 'reactErrBad' };

/** `text` when it is exactly one emoji (spaces around it ignored), else null. */
export function oneEmoji(text) {
  const value = String(text ?? '').trim();
  const parts = [...segmenter.segment(value)];
  return parts.length === 1 && EMOJI_RE.test(value) ? value : null;
}

export class Reactions {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.list  the messages
   * @param {(frame: object) => boolean} parts.send  false when offline
   */
  constructor({ list, send }) {
    Object.assign(this, { list, send });
    this.tallies = new Map(); // message id → Map(emoji → { count, tags: Set })
    this.myTag = null;
    this.ops = new Map(); // clientMsgId → message id, until the server answers
    this.picker = new Picker((id, emoji) => this.toggle(id, emoji));
    list.addEventListener('click', (event) => {
      const chip = event.target.closest?.('.reaction');
      if (chip) this.toggle(chip.closest('.message').dataset.id, chip.dataset.emoji);
    });
  }

  /** My tag (from `joined`): which reactions are mine. */
  setTag(tag) {
    if (tag === this.myTag) return;
    this.myTag = tag;
    for (const id of this.tallies.keys()) this.render(id);
  }

  /** A history page: its tallies replace what was known of those messages. */
  fromHistory(messages) {
    for (const msg of messages) {
      if (msg?.id === undefined) continue;
      const tally = new Map();
      for (const r of Array.isArray(msg.reactions) ? msg.reactions : []) {
        if (typeof r?.emoji !== 'string' || !(Number(r.count) > 0)) continue;
        tally.set(r.emoji, { count: Number(r.count), tags: new Set(Array.isArray(r.tags) ? r.tags : []) });
      }
      this.tallies.set(String(msg.id), tally);
      this.render(String(msg.id));
    }
  }

  /** A `reaction` frame. */
  reaction(frame) {
    const id = String(frame.id ?? '');
    if (!id || typeof frame.emoji !== 'string') return;
    const tally = this.tallies.get(id) ?? new Map();
    this.tallies.set(id, tally);
    const entry = tally.get(frame.emoji) ?? { count: 0, tags: new Set() };
    const count = Number.isInteger(frame.count) ? frame.count : entry.count + (frame.on ? 1 : -1);
    const tag = frame.from?.tag;
    if (tag) {
      if (frame.on) entry.tags.add(tag);
      else entry.tags.delete(tag);
    }
    entry.count = Math.max(0, count);
    if (entry.count === 0) tally.delete(frame.emoji);
    else tally.set(frame.emoji, entry);
    if (tag && tag === this.myTag) this.settle(id);
    this.render(id);
  }

  /** A refused `react`: true when it was mine. */
  refused(frame) {
    if (frame.action !== 'react') return false;
    const id = this.ops.get(frame.clientMsgId) ?? [...this.ops.values()][0];
    this.ops.delete(frame.clientMsgId);
    const key = REFUSALS[String(frame.code ?? '')];
    this.showError(id, key ? t(key) : errorText(frame));
    return true;
  }

  settle(id) {
    for (const [cmid, op] of this.ops) {
      if (op === id) {
        this.ops.delete(cmid);
        break;
      }
    }
  }

  toggle(id, emoji) {
    if (!id || !emoji) return;
    const clientMsgId = newClientMsgId();
    if (!this.send({ action: 'react', id, emoji, clientMsgId })) {
      this.showError(id, t('reactOffline'));
      return;
    }
    this.ops.set(clientMsgId, id);
    this.showError(id, '');
  }

  showError(id, text) {
    const item = this.find(id);
    if (!item) return;
    let line = item.querySelector('.reactions-error');
    if (!line && !text) return;
    if (!line) {
      line = el('p', 'reactions-error');
      line.setAttribute('role', 'alert');
      (item.querySelector('.reactions') ?? item.querySelector('.text'))?.after(line);
    }
    line.textContent = text;
    if (!text) line.remove();
  }

  find(id) {
    return this.list.querySelector(`.message[data-id="${CSS.escape(String(id))}"]`);
  }

  /** Put the chips on a message item just drawn (and the button that opens the picker). */
  decorate(item) {
    const id = item.dataset.id;
    if (!id) return;
    this.render(id, item);
  }

  /** The button that opens the picker for `item`. */
  addButton(item) {
    const button = el('button', 'react-add');
    button.type = 'button';
    button.setAttribute('aria-haspopup', 'dialog');
    button.setAttribute('aria-label', t('reactAdd'));
    button.title = t('reactAdd');
    button.append(el('span', 'react-add-face', '☺'), el('span', 'react-add-plus', '+'));
    button.querySelector('.react-add-face').setAttribute('aria-hidden', 'true');
    button.querySelector('.react-add-plus').setAttribute('aria-hidden', 'true');
    button.addEventListener('click', () => this.picker.open(item.dataset.id, button));
    return button;
  }

  /** Draw the chips of message `id` (in `item`, else wherever it is shown). */
  render(id, item = this.find(id)) {
    if (!item || item.classList.contains('deleted')) return;
    const tally = this.tallies.get(id);
    let row = item.querySelector('.reactions');
    if (!tally || tally.size === 0) {
      row?.remove();
      return;
    }
    if (!row) {
      row = el('div', 'reactions');
      row.setAttribute('role', 'group');
      const after = item.querySelector('.original') ?? item.querySelector('.untranslated') ?? item.querySelector('.text');
      after?.after(row);
    }
    row.setAttribute('aria-label', t('reactGroup'));
    row.replaceChildren(...[...tally].map(([emoji, { count, tags }]) => {
      const chip = el('button', 'reaction');
      chip.type = 'button';
      chip.dataset.emoji = emoji;
      const mine = Boolean(this.myTag) && tags.has(this.myTag);
      chip.setAttribute('aria-pressed', String(mine));
      chip.setAttribute('aria-label', t('reactChip', { emoji, count }));
      chip.append(el('span', 'reaction-emoji', emoji), el('span', 'reaction-count', count));
      return chip;
    }));
  }

  /** The interface language changed. */
  relabel() {
    for (const id of this.tallies.keys()) this.render(id);
    for (const button of this.list.querySelectorAll('.react-add')) {
      button.setAttribute('aria-label', t('reactAdd'));
      button.title = t('reactAdd');
    }
    this.picker.relabel();
  }
}

/** The picker: common emoji (arrow keys move between them), any other typed in, Escape closes. */
class Picker {
  constructor(onPick) {
    this.onPick = onPick;
    this.node = null;
    this.id = null;
    this.opener = null;
  }

  build() {
    const node = el('div', 'react-picker');
    node.id = 'react-picker';
    node.popover = 'auto';
    node.setAttribute('role', 'dialog');
    node.setAttribute('aria-labelledby', 'react-picker-title');
    this.title = el('p', 'react-picker-title');
    this.title.id = 'react-picker-title';
    this.grid = el('div', 'react-picker-common');
    this.grid.setAttribute('role', 'group');
    this.grid.setAttribute('aria-labelledby', 'react-picker-title');
    this.grid.append(...COMMON.map((emoji) => {
      const button = el('button', 'react-pick', emoji);
      button.type = 'button';
      button.dataset.emoji = emoji;
      button.addEventListener('click', () => this.pick(emoji));
      return button;
    }));
    this.grid.addEventListener('keydown', (event) => this.arrows(event));
    const form = el('form', 'react-picker-other');
    this.otherLabel = el('label');
    this.otherLabel.htmlFor = 'react-other';
    this.other = el('input', 'react-other');
    this.other.id = 'react-other';
    this.other.autocomplete = 'off';
    this.other.setAttribute('aria-describedby', 'react-other-error');
    this.otherButton = el('button', 'react-other-add');
    this.otherButton.type = 'submit';
    this.error = el('p', 'react-other-error');
    this.error.id = 'react-other-error';
    this.error.setAttribute('aria-live', 'polite');
    const row = el('div', 'react-other-row');
    row.append(this.other, this.otherButton);
    form.append(this.otherLabel, row, this.error);
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      const emoji = oneEmoji(this.other.value);
      if (emoji) this.pick(emoji);
      else {
        this.error.textContent = t('reactOtherBad');
        this.other.setAttribute('aria-invalid', 'true');
        this.other.focus();
      }
    });
    this.other.addEventListener('input', () => {
      this.error.textContent = '';
      this.other.removeAttribute('aria-invalid');
    });
    node.append(this.title, this.grid, form);
    // Closed by Escape or a click elsewhere: the opener says so, and gets focus back when the picker had it.
    node.addEventListener('toggle', (event) => {
      if (event.newState !== 'closed') return;
      this.opener?.setAttribute('aria-expanded', 'false');
      if (this.opener?.isConnected && (node.contains(document.activeElement) || document.activeElement === document.body)) {
        this.opener.focus();
      }
    });
    document.body.append(node);
    this.node = node;
    this.relabel();
  }

  open(id, opener) {
    if (!this.node) this.build();
    if (this.node.matches(':popover-open')) {
      const same = this.id === id;
      this.close();
      if (same) return;
    }
    this.id = id;
    this.opener = opener;
    this.other.value = '';
    this.error.textContent = '';
    this.other.removeAttribute('aria-invalid');
    this.relabel();
    opener.setAttribute('aria-expanded', 'true');
    this.node.showPopover();
    this.place(opener);
    this.grid.querySelector('button').focus();
  }

  /** Beside the button that opened it, inside the window. */
  place(opener) {
    const box = opener.getBoundingClientRect();
    const { offsetWidth: width, offsetHeight: height } = this.node;
    const rtl = document.documentElement.dir === 'rtl';
    let left = rtl ? box.right - width : box.left;
    left = Math.min(Math.max(8, left), innerWidth - width - 8);
    let top = box.top - height - 6;
    if (top < 8) top = Math.min(box.bottom + 6, innerHeight - height - 8);
    Object.assign(this.node.style, { left: `${Math.max(8, left)}px`, top: `${Math.max(8, top)}px` });
  }

  close() {
    this.opener?.setAttribute('aria-expanded', 'false');
    if (this.node?.matches(':popover-open')) {
      const hadFocus = this.node.contains(document.activeElement);
      this.node.hidePopover();
      if (hadFocus && this.opener?.isConnected) this.opener.focus();
    }
  }

  pick(emoji) {
    const { id } = this;
    this.close();
    this.onPick(id, emoji);
  }

  arrows(event) {
    const buttons = [...this.grid.querySelectorAll('button')];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    const rtl = document.documentElement.dir === 'rtl';
    const step = { ArrowRight: rtl ? -1 : 1, ArrowLeft: rtl ? 1 : -1, Home: -at, End: buttons.length - 1 - at }[event.key];
    if (step === undefined) return;
    event.preventDefault();
    buttons[(at + step + buttons.length) % buttons.length].focus();
  }

  relabel() {
    if (!this.node) return;
    this.title.textContent = t('reactPicker');
    this.otherLabel.textContent = t('reactOther');
    this.otherButton.textContent = t('reactOtherAdd');
    for (const button of this.grid.querySelectorAll('button')) {
      button.setAttribute('aria-label', t('reactWith', { emoji: button.dataset.emoji }));
    }
  }
}
