// The message box: Enter sends, Shift+Enter starts a new line (and Enter
// that confirms an input method's composition does neither), the box grows
// with its text, and a counter appears as the text nears the byte limit,
// counted in characters, which is what people write in.
import { t } from './i18n.js';

const encoder = new TextEncoder();
/** The counter shows from this share of the limit on. */
const COUNTER_FROM = 0.8;
const MAX_ROWS = 8;

export function byteLength(text) {
  return encoder.encode(text).length;
}

/** How many characters at the end of `chars` must go for the rest to fit in `maxBytes`. */
function charsOver(chars, maxBytes) {
  let bytes = byteLength(chars.join(''));
  let cut = 0;
  while (bytes > maxBytes && cut < chars.length) {
    bytes -= byteLength(chars[chars.length - 1 - cut]);
    cut += 1;
  }
  return cut;
}

/** About how many more characters fit, judged by the bytes per character of the latest text. */
function charsLeft(chars, bytes, maxBytes) {
  const recent = chars.slice(-200);
  const perChar = recent.length ? Math.max(1, byteLength(recent.join('')) / recent.length) : 1;
  return Math.floor((maxBytes - bytes) / perChar);
}

export class Composer {
  /**
   * @param {object} parts
   * @param {HTMLTextAreaElement} parts.input
   * @param {HTMLElement} parts.counter
   * @param {HTMLElement} parts.error
   * @param {number} parts.maxBytes
   * @param {() => void} parts.onSend
   * @param {(text: string) => void} parts.onInput
   */
  constructor({ input, counter, error, maxBytes, onSend, onInput }) {
    Object.assign(this, { input, counter, error, maxBytes, onSend, onInput });
    input.addEventListener('keydown', (event) => {
      if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      onSend();
    });
    input.addEventListener('input', () => {
      this.update();
      onInput(input.value);
    });
    // A narrower box wraps the text (or the placeholder) onto more lines: grow again.
    let width = 0;
    new ResizeObserver(([entry]) => {
      if (entry.contentRect.width === width) return;
      width = entry.contentRect.width;
      this.update();
    }).observe(input);
  }

  get text() {
    return this.input.value.trim();
  }

  clear() {
    this.input.value = '';
    this.showError('');
    this.update();
  }

  focus() {
    this.input.focus();
  }

  /** An error next to the box (`code` says which, so the page knows when it no longer applies). */
  showError(text, code = '') {
    this.error.textContent = text;
    this.error.dataset.code = code;
    this.input.setAttribute('aria-invalid', String(Boolean(text) || this.over() > 0));
  }

  /** How many characters too long the text is (0 when it fits). */
  over() {
    const text = this.text;
    return byteLength(text) > this.maxBytes ? charsOver([...text], this.maxBytes) : 0;
  }

  /** Grow with the text, and show the counter near the limit. */
  update() {
    const { input } = this;
    input.style.height = 'auto';
    const line = parseFloat(getComputedStyle(input).lineHeight) || 24;
    input.style.height = `${Math.min(input.scrollHeight + 2, line * MAX_ROWS)}px`;

    const text = this.text;
    const bytes = byteLength(text);
    const near = bytes >= this.maxBytes * COUNTER_FROM;
    const over = this.over();
    this.counter.hidden = !near;
    this.counter.dataset.over = String(over > 0);
    if (near) {
      this.counter.textContent = over > 0
        ? t('charsOver', { count: over })
        : t('charsLeft', { count: charsLeft([...text], bytes, this.maxBytes) });
    }
    input.setAttribute('aria-invalid', String(over > 0 || Boolean(this.error.textContent)));
    if (over === 0 && this.error.dataset.code === 'too_long') this.showError('');
  }

  /** Refuse a text over the limit, keeping it in the box; true when it may be sent. */
  check() {
    const over = this.over();
    if (over === 0) return true;
    this.showError(t('errTooLong', { count: over }), 'too_long');
    this.focus();
    return false;
  }
}
