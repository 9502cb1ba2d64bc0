// Replies (protocol v1.2): "Reply" on a message puts it above the composer
// (Escape or × cancels) and the next message goes with `replyTo`; every
// reply shows the line it quotes, in the reader's language as the server
// sent it. Clicking the quote scrolls to the original, loading earlier
// history pages until it shows (or the history has no more), and
// highlights it briefly.
import { fillMessageText } from './code.js';
import { t, tIsolated } from './i18n.js';
import { el, validTag } from './render.js';

/** How long the original stays highlighted. */
const FLASH_MS = 2000;
/** At most this many history pages are loaded to find an original. */
const MAX_PAGES = 40;
const PAGE_WAIT_MS = 10_000;

/** A quote's text for the bar and a pending reply: the first line, cut to `max` characters. */
function excerpt(text, max = 200) {
  const line = String(text ?? '').trim().split('\n')[0];
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max - 1).join('').trimEnd()}…` : line;
}

/**
 * The quote above a reply: a button that leads to the original.
 * @param {{id: string, from?: {name?: string, tag?: string}, text?: string, deleted?: boolean}} quote
 * @param {string} lang  the language the quote is in (the reader's)
 */
export function quoteElement(quote, lang) {
  const button = el('button', 'reply-quote');
  button.type = 'button';
  button.dataset.replyTo = String(quote.id);
  button.title = t('replyJump');
  const name = el('span', 'reply-quote-name');
  const who = el('bdi', '', String(quote.from?.name ?? t('someone')));
  name.append(el('span', 'visually-hidden', `${t('replyInReplyTo')} `), who);
  const tag = validTag(quote.from?.tag);
  if (tag) button.dataset.tag = tag;
  let text;
  if (quote.deleted === true || typeof quote.text !== 'string') {
    text = el('span', 'reply-quote-text reply-quote-deleted', t('replyDeleted'));
  } else {
    // Code shows as code; no links: the quote is a button already.
    text = el('span', 'reply-quote-text');
    fillMessageText(text, excerpt(quote.text), { links: false });
    text.dir = 'auto';
    if (lang) text.lang = lang;
  }
  button.append(name, text);
  return button;
}

export class Reply {
  /**
   * @param {object} parts
   * @param {object} parts.ui  the page's elements (composer, its form, the messages, "Load earlier")
   * @param {() => string} parts.lang  the language I read in
   */
  constructor({ ui, lang }) {
    Object.assign(this, { ui, lang });
    this.target = null; // { id, name, text } while replying
    this.jumping = null; // the id being looked for in earlier pages
    this.bar = el('div', 'reply-bar');
    this.bar.id = 'reply-bar';
    this.bar.hidden = true;
    this.label = el('span', 'reply-bar-label');
    this.label.id = 'reply-bar-label';
    this.quoted = el('span', 'reply-bar-text');
    this.quoted.dir = 'auto';
    this.cancelButton = el('button', 'reply-cancel', '×');
    this.cancelButton.type = 'button';
    this.cancelButton.id = 'reply-cancel';
    this.cancelButton.addEventListener('click', () => {
      this.cancel();
      ui.composer.focus();
    });
    const what = el('div', 'reply-bar-what');
    what.append(this.label, this.quoted);
    this.bar.append(what, this.cancelButton);
    ui.composerForm.before(this.bar);
    this.note = el('p', 'reply-note');
    this.note.setAttribute('role', 'status');
    this.bar.after(this.note);

    ui.composer.addEventListener('keydown', (event) => {
      if (event.key !== 'Escape' || !this.target) return;
      event.preventDefault();
      event.stopPropagation();
      this.cancel();
    });
    ui.messages.addEventListener('click', (event) => {
      const quote = event.target.closest?.('.reply-quote');
      if (quote) this.jumpTo(quote.dataset.replyTo);
    });
    this.relabel();
  }

  /** Reply to the message shown by `item`. */
  start(item) {
    const name = item.dataset.sender || t('someone');
    const text = item.querySelector('.text')?.textContent ?? '';
    this.target = { id: item.dataset.id, name, text, tag: item.dataset.tag, lang: item.querySelector('.text')?.lang };
    this.quoted.textContent = excerpt(text, 120);
    this.bar.hidden = false;
    this.note.textContent = '';
    this.relabel();
    this.describe(true);
    this.ui.composer.focus();
  }

  cancel() {
    if (!this.target) return;
    this.target = null;
    this.bar.hidden = true;
    this.describe(false);
  }

  /** The composer's description names what it replies to while it does. */
  describe(on) {
    const ids = (this.ui.composer.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== 'reply-bar');
    if (on) ids.unshift('reply-bar');
    this.ui.composer.setAttribute('aria-describedby', ids.join(' '));
  }

  /** My message is going out: it replies to the target, and its placeholder shows the quote. */
  sending(frame, item) {
    if (!this.target) return;
    frame.replyTo = this.target.id;
    const { id, name, text, tag } = this.target;
    item.querySelector('.text')?.before(quoteElement({ id, from: { name, tag }, text }, this.target.lang));
    this.cancel();
  }

  /** Scroll to message `id` and highlight it, loading earlier pages until it shows. */
  async jumpTo(id) {
    if (!id) return;
    this.note.textContent = '';
    this.jumping = id;
    let item = this.find(id);
    for (let pages = 0; !item && pages < MAX_PAGES; pages += 1) {
      const more = this.ui.loadEarlier;
      // Nothing older, or the oldest shown is older than the original: it is gone.
      if (more.hidden || this.oldestId() < id) break;
      if (!(await this.loadEarlier())) break;
      if (this.jumping !== id) return; // another jump (or a reset) took over
      item = this.find(id);
    }
    this.jumping = null;
    if (!item) {
      this.note.textContent = t('replyGone');
      return;
    }
    item.scrollIntoView({ block: 'center', behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
    if (!item.hasAttribute('tabindex')) item.tabIndex = -1;
    item.focus({ preventScroll: true });
    item.classList.remove('reply-flash');
    void item.offsetWidth; // restart the highlight
    item.classList.add('reply-flash');
    setTimeout(() => item.classList.remove('reply-flash'), FLASH_MS);
  }

  find(id) {
    return this.ui.messages.querySelector(`.message[data-id="${CSS.escape(String(id))}"]`);
  }

  oldestId() {
    return this.ui.messages.querySelector('.message[data-id]')?.dataset.id ?? '';
  }

  /** Click "Load earlier" (once a page already on its way has come) and wait for the page; false when none came. */
  async loadEarlier() {
    const more = this.ui.loadEarlier;
    if (more.disabled && !(await this.settled())) return false;
    if (more.hidden) return false;
    const before = this.oldestId();
    more.click();
    if (!more.disabled) return false; // offline: nothing was asked
    return (await this.settled()) && (this.oldestId() !== before || !more.hidden);
  }

  /** Resolves when "Load earlier" is no longer busy (true), or after a while (false). */
  settled() {
    const more = this.ui.loadEarlier;
    return new Promise((done) => {
      const observer = new MutationObserver(() => {
        if (!more.disabled || more.hidden) finish(true);
      });
      const timer = setTimeout(() => finish(false), PAGE_WAIT_MS);
      const finish = (ok) => {
        observer.disconnect();
        clearTimeout(timer);
        done(ok);
      };
      observer.observe(more, { attributes: true, attributeFilter: ['disabled', 'hidden'] });
    });
  }

  /** The conversation starts over: a jump in progress stops. */
  reset() {
    this.jumping = null;
  }

  relabel() {
    this.cancelButton.setAttribute('aria-label', t('replyCancel'));
    this.cancelButton.title = t('replyCancel');
    if (this.target) this.label.replaceChildren(...tIsolated('replyingTo', { name: this.target.name }));
  }
}
