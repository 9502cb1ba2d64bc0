// "Aki is typing…": tell the room while the reader types (at most one
// `typing` per interval, as the contract allows), and show who else is.
import { t, tIsolated } from './i18n.js';
import { validTag } from './render.js';

/** How long a `typing` shows without another one or a message. */
const SHOW_MS = 5000;

export class Typing {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.node          where the line goes
   * @param {(frame: object) => boolean} parts.send
   * @param {number} parts.intervalMs        the contract's typingIntervalMs
   * @param {() => string|null} parts.myTag
   */
  constructor({ node, send, intervalMs, myTag }) {
    Object.assign(this, { node, send, intervalMs, myTag });
    this.lastSent = 0;
    this.typists = new Map(); // tag or name → { name, timer }
  }

  /** The reader typed; `text` is the composer's content. */
  onInput(text) {
    if (!text.trim()) return;
    const now = Date.now();
    if (now - this.lastSent < this.intervalMs) return;
    if (this.send({ action: 'typing' })) this.lastSent = now;
  }

  received(frame) {
    const tag = validTag(frame.tag);
    if (tag && tag === this.myTag()) return; // my other tab
    const key = tag ?? `name:${frame.name}`;
    clearTimeout(this.typists.get(key)?.timer);
    const timer = setTimeout(() => this.stop(key), SHOW_MS);
    this.typists.set(key, { name: String(frame.name ?? t('someone')), timer });
    this.render();
  }

  /** Their message arrived: they are done typing it. */
  messageFrom(from) {
    const tag = validTag(from?.tag);
    this.stop(tag ?? `name:${from?.name}`);
  }

  stop(key) {
    const entry = this.typists.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.typists.delete(key);
    this.render();
  }

  clear() {
    for (const key of [...this.typists.keys()]) this.stop(key);
    this.render();
  }

  render() {
    const names = [...this.typists.values()].map((entry) => entry.name);
    let line = [];
    if (names.length === 1) line = ['typingOne', { name: names[0] }];
    else if (names.length === 2) line = ['typingTwo', { a: names[0], b: names[1] }];
    else if (names.length > 2) line = ['typingMany'];
    const text = line.length ? t(...line) : '';
    // Names isolated (<bdi>): one written right to left keeps the sentence in order.
    if (this.node.textContent !== text) this.node.replaceChildren(...(line.length ? tIsolated(...line) : []));
  }
}
