// Replies and reactions on the page (protocol v1.2): the actions on each
// message ("Reply", "Add a reaction"), the quote above a reply, the
// reaction chips under a message, and the frames that keep them current.
// tools.js hands this the hooks app.js calls; the parts are reply.js and
// reactions.js.
import { t } from './i18n.js';
import { Reactions } from './reactions.js';
import { quoteElement, Reply } from './reply.js';
import { el } from './render.js';

export class Social {
  /**
   * @param {object} parts
   * @param {object} parts.ui  the page's elements
   * @param {(frame: object) => boolean} parts.send
   * @param {() => {room: string, lang: string}} parts.current
   */
  constructor({ ui, send, current }) {
    Object.assign(this, { ui, current });
    this.quotes = new Map(); // message id → its replyTo, so a message drawn again keeps its quote
    this.reply = new Reply({ ui, lang: () => current().lang });
    this.reactions = new Reactions({ list: ui.messages, send });
  }

  /** A frame from the server: true when it was only for this part (`reaction`, a refused `react`). */
  take(frame) {
    const here = frame.room === this.current().room;
    switch (frame.type) {
      case 'reaction':
        if (here) this.reactions.reaction(frame);
        return true;
      case 'joined':
        if (!here) this.reply.cancel(); // a reply belongs to its room
        this.reactions.setTag(typeof frame.tag === 'string' ? frame.tag : null);
        return false;
      case 'history':
        // The history answering the page (not an export's): the tallies it carries are the latest.
        if (here && frame.lang === this.current().lang && Array.isArray(frame.messages)) {
          this.reactions.fromHistory(frame.messages);
        }
        return false;
      case 'error': return this.reactions.refused(frame);
      case 'deleted':
      case 'edited':
        // Replies already shown quote the old text: the server has rewritten their stored quotes, so do the same here.
        if (here) this.requote(frame);
        return false; // amend.js still handles the message itself
      default: return false;
    }
  }

  /** Every reply shown that quotes `frame.id` now quotes it deleted, or as edited (in my language). */
  requote(frame) {
    const id = String(frame.id);
    for (const [replyId, quote] of this.quotes) {
      if (String(quote.id) !== id) continue;
      const fresh = frame.type === 'deleted'
        ? { id: quote.id, from: quote.from, deleted: true }
        : { ...quote, text: typeof frame.text === 'string' ? frame.text : quote.text };
      this.quotes.set(replyId, fresh);
    }
    for (const button of this.ui.messages.querySelectorAll('.reply-quote')) {
      if (button.dataset.replyTo !== id) continue;
      const replyId = button.closest('[data-id]')?.dataset.id;
      const quote = replyId && this.quotes.get(replyId);
      if (quote) button.replaceWith(quoteElement(quote, this.current().lang));
    }
  }

  /** Finish a message item: its quote, its reactions, the Reply and reaction buttons. Returns the item. */
  decorate(item, msg) {
    const id = msg.id === undefined ? null : String(msg.id);
    if (msg.deleted === true || item.classList.contains('deleted')) return item;
    const quote = msg.replyTo && typeof msg.replyTo === 'object' ? msg.replyTo : (id && this.quotes.get(id));
    if (quote?.id !== undefined) {
      if (id) this.quotes.set(id, quote);
      item.querySelector('.text')?.before(quoteElement(quote, msg.lang ?? this.current().lang));
      // A reply to me calls me as a mention does (highlighted; notified when I asked for mentions).
      const tag = this.reactions.myTag;
      if (tag && quote.from?.tag === tag && !item.classList.contains('own')) item.classList.add('mention');
    }
    if (!id) return item;
    this.reactions.decorate(item);
    const replyButton = el('button', 'reply-button', t('replyAction'));
    replyButton.type = 'button';
    replyButton.dataset.i18n = 'replyAction';
    replyButton.addEventListener('click', () => this.reply.start(item));
    let row = item.querySelector('.amend-actions, .message-actions');
    if (!row) {
      row = el('div', 'message-actions');
      item.append(row);
    }
    row.prepend(replyButton, this.reactions.addButton(item));
    return item;
  }

  /** My message (`{frame, item}` from pending.add) is about to go: a reply carries `replyTo`. */
  sending(pair) {
    this.reply.sending(pair.frame, pair.item);
    return pair;
  }

  reset() {
    this.reply.reset();
  }

  relabel() {
    this.reply.relabel();
    this.reactions.relabel();
  }
}
