// Search in the loaded conversation: a box (header button, or "/" when not
// typing; the browser keeps Ctrl+F) that shows only the messages whose
// translation, original or sender matches, with the matches highlighted.
// Messages arriving meanwhile are filtered too. Nothing leaves the page.
import { t } from './i18n.js';
import { el } from './render.js';

const HIGHLIGHT = 'honyaku-search';
const SVG_NS = 'http://www.w3.org/2000/svg';

/** Case- and width-insensitive form for matching. */
function fold(text) {
  return String(text ?? '').normalize('NFKC').toLocaleLowerCase();
}

function typingIn(node) {
  return node instanceof HTMLElement
    && (node.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(node.tagName));
}

function icon() {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 16 16');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', 'M6.5 1a5.5 5.5 0 0 1 4.38 8.82l3.65 3.65-1.06 1.06-3.65-3.65A5.5 5.5 0 1 1 6.5 1zm0 1.5a4 4 0 1 0 0 8 4 4 0 0 0 0-8z');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

export class Search {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.list     the <ol> of messages
   * @param {HTMLElement} parts.toolbar  the button goes before this element
   * @param {HTMLElement} parts.frame    the search bar goes before this element
   */
  constructor({ list, toolbar, frame }) {
    this.list = list;
    this.button = el('button', 'search-toggle');
    this.button.type = 'button';
    this.button.id = 'search-toggle';
    this.button.setAttribute('aria-keyshortcuts', '/');
    this.button.setAttribute('aria-controls', 'search-bar');
    this.button.setAttribute('aria-expanded', 'false');
    this.button.append(icon());
    toolbar.before(this.button);

    this.bar = el('form', 'search-bar');
    this.bar.id = 'search-bar';
    this.bar.setAttribute('role', 'search');
    this.bar.hidden = true;
    this.input = el('input');
    this.input.type = 'search';
    this.input.id = 'search-input';
    this.input.autocomplete = 'off';
    this.input.dir = 'auto';
    this.input.setAttribute('aria-describedby', 'search-count');
    this.count = el('span', 'search-count');
    this.count.id = 'search-count';
    this.count.setAttribute('aria-live', 'polite');
    this.close = el('button', 'banner-close search-close', '×');
    this.close.type = 'button';
    this.bar.append(this.input, this.count, this.close);
    frame.before(this.bar);
    this.relabel();

    this.button.addEventListener('click', () => (this.bar.hidden ? this.open() : this.closeBar()));
    this.close.addEventListener('click', () => this.closeBar());
    this.bar.addEventListener('submit', (event) => event.preventDefault());
    this.input.addEventListener('input', () => this.apply());
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        this.closeBar();
      }
    });
    document.addEventListener('keydown', (event) => this.onKey(event));
    // New messages, history pages, a room switch: filter what is there now.
    new MutationObserver(() => this.apply()).observe(list, { childList: true });
  }

  onKey(event) {
    if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (typingIn(document.activeElement) || this.list.closest('[hidden]')) return;
    event.preventDefault();
    this.open();
  }

  open() {
    this.bar.hidden = false;
    this.button.setAttribute('aria-expanded', 'true');
    this.input.focus();
    this.input.select();
    this.apply();
  }

  closeBar() {
    this.input.value = '';
    this.apply();
    this.bar.hidden = true;
    this.button.setAttribute('aria-expanded', 'false');
    this.button.focus();
  }

  /** Show only the matching messages; '' shows everything again. */
  apply() {
    const query = fold(this.input.value.trim());
    const active = query !== '';
    this.list.classList.toggle('searching', active);
    const ranges = [];
    let found = 0;
    for (const item of this.list.querySelectorAll('.message')) {
      const parts = [...item.querySelectorAll('.sender, .text, .original-text')];
      const match = !active || parts.some((part) => fold(part.textContent).includes(query));
      item.classList.toggle('search-miss', !match);
      if (active && match) {
        found += 1;
        parts.forEach((part) => ranges.push(...this.rangesIn(part, query)));
      }
    }
    this.highlight(ranges);
    this.count.textContent = active ? (found ? t('searchCount', { count: found }) : t('searchNone')) : '';
  }

  /** Ranges over the text nodes of `node` where `query` occurs (for the highlight). */
  rangesIn(node, query) {
    const ranges = [];
    const walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT);
    for (let text = walker.nextNode(); text; text = walker.nextNode()) {
      const value = text.data;
      // Folding may change lengths; highlight only where it does not.
      if (fold(value).length !== value.length) continue;
      const folded = fold(value);
      for (let at = folded.indexOf(query); at !== -1; at = folded.indexOf(query, at + query.length)) {
        const range = new Range();
        range.setStart(text, at);
        range.setEnd(text, at + query.length);
        ranges.push(range);
      }
    }
    return ranges;
  }

  highlight(ranges) {
    if (typeof Highlight !== 'function' || !CSS.highlights) return;
    if (ranges.length) CSS.highlights.set(HIGHLIGHT, new Highlight(...ranges));
    else CSS.highlights.delete(HIGHLIGHT);
  }

  /** Words in the interface language. */
  relabel() {
    this.button.setAttribute('aria-label', t('searchOpen'));
    this.button.title = `${t('searchOpen')} (/)`;
    this.input.setAttribute('aria-label', t('searchLabel'));
    this.input.placeholder = t('searchPlaceholder');
    this.close.setAttribute('aria-label', t('searchClose'));
    if (!this.bar.hidden) this.apply();
  }
}
