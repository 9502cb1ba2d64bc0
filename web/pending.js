// My messages until the server confirms them: queued while offline, in
// flight, unconfirmed after the connection dropped (the fresh history tells
// whether they arrived), or refused ("not sent", with Retry). Each is sent
// once; only Retry sends it again, with the same clientMsgId.
import { t } from './i18n.js';
import { pendingElement, setPendingState } from './render.js';

export function newClientMsgId() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `c-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

export class Pending {
  /**
   * @param {object} parts
   * @param {(frame: object) => void} parts.enqueue  send now or on the next open
   * @param {() => void} parts.onRetry               a Retry was clicked
   */
  constructor({ enqueue, onRetry }) {
    Object.assign(this, { enqueue, onRetry });
    this.entries = new Map(); // clientMsgId → { item, frame, state }
  }

  /** A new message from me: its item, shown at once as queued. */
  add(text, { name, lang }) {
    const frame = { action: 'translate', text, clientMsgId: newClientMsgId() };
    const item = pendingElement(frame, name, lang, 'queued');
    this.entries.set(frame.clientMsgId, { item, frame, state: 'queued' });
    return { frame, item };
  }

  clear() {
    this.entries.clear();
  }

  /** The echo of `clientMsgId` arrived: its placeholder goes; true when it was mine. */
  confirm(clientMsgId) {
    const entry = clientMsgId !== undefined ? this.entries.get(clientMsgId) : undefined;
    if (!entry) return false;
    this.entries.delete(clientMsgId);
    entry.item.remove();
    return true;
  }

  /** A refused `translate`: by its clientMsgId, else (older servers) the oldest in flight. */
  refuse(clientMsgId, reason) {
    const entry = this.entries.get(clientMsgId)
      ?? [...this.entries.values()].find((e) => e.state === 'sending');
    if (entry) this.mark(entry.frame.clientMsgId, 'failed', reason);
  }

  /**
   * The items to keep across a reset: all but, when the room changed, those
   * that went to (or were refused by) the old room. One in flight becomes
   * unconfirmed: it is never sent again by itself, so it can never show twice.
   */
  keep({ roomChanged }) {
    const kept = [];
    for (const [id, entry] of this.entries) {
      if (roomChanged && entry.state !== 'queued') {
        this.entries.delete(id);
        continue;
      }
      if (entry.state === 'sending') this.mark(id, 'unconfirmed');
      kept.push(entry.item);
    }
    return kept;
  }

  /**
   * Settle the unconfirmed ones with the first history page after a reset
   * (`null` when that request failed): one found there arrived, the rest
   * are "not sent". History has no clientMsgId: `isMine(msg, text)` matches.
   */
  settle(messages, isMine) {
    const used = new Set();
    for (const [id, entry] of this.entries) {
      if (entry.state !== 'unconfirmed') continue;
      const match = (messages ?? []).find((msg) => !used.has(msg.id) && isMine(msg, entry.frame.text));
      if (match) {
        used.add(match.id);
        this.entries.delete(id);
        entry.item.remove();
      } else {
        this.mark(id, 'failed', t(messages ? 'reasonConnectionLost' : 'reasonCouldNotCheck'));
      }
    }
  }

  mark(clientMsgId, state, reason) {
    const entry = this.entries.get(clientMsgId);
    if (!entry) return;
    entry.state = state;
    setPendingState(entry.item, state, reason);
    entry.item.querySelector('.retry')?.remove();
    if (state !== 'failed') return;
    const retry = document.createElement('button');
    retry.type = 'button';
    retry.className = 'retry';
    retry.textContent = t('retry');
    retry.addEventListener('click', () => {
      this.mark(clientMsgId, 'queued');
      this.enqueue(entry.frame); // a refused id is not used up, so it is reused
      this.onRetry();
    });
    entry.item.append(retry);
  }
}
