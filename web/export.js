// "Download the conversation": every stored message of the room, in the
// reader's language with the original beside it, as Markdown or JSON. Built
// from `history` pages over the WebSocket (following `next`), so it works
// wherever the chat does; a counter shows progress in long rooms. While it
// runs it owns the connection's `history` replies (they carry no request id).
import { currentLocale, formatNumber, t } from './i18n.js';
import { languageLabel } from './languages.js';
import { el } from './render.js';

const PAGE_TIMEOUT_MS = 20_000;
const FORMATS = [['md', 'exportMarkdown'], ['json', 'exportJson']];

/** The fields worth keeping of a history entry. */
function entry(msg) {
  const out = {
    id: msg.id, ts: msg.ts, from: { name: msg.from?.name ?? '', ...(msg.from?.tag ? { tag: msg.from.tag } : {}) },
    sourceLang: msg.sourceLang, lang: msg.lang, text: msg.text ?? '',
  };
  if (typeof msg.original === 'string') out.original = msg.original;
  if (msg.engine) out.engine = msg.engine;
  if (msg.error) out.error = msg.error;
  if (msg.deleted) out.deleted = true;
  if (msg.editedAt) out.editedAt = msg.editedAt;
  if (msg.correctedBy?.name) out.correctedBy = { name: msg.correctedBy.name };
  return withSocial(out, msg);
}

/** v1.2: what a message replies to (as quoted for this reader) and its reactions' counts. */
function withSocial(out, msg) {
  const quote = msg.replyTo;
  if (quote && typeof quote === 'object' && quote.id !== undefined) {
    out.replyTo = { id: quote.id, from: { name: String(quote.from?.name ?? '') } };
    if (typeof quote.text === 'string') out.replyTo.text = quote.text;
    if (quote.deleted === true) out.replyTo.deleted = true;
  }
  const reactions = Array.isArray(msg.reactions) ? msg.reactions.filter((r) => typeof r?.emoji === 'string') : [];
  if (reactions.length) out.reactions = reactions.map(({ emoji, count }) => ({ emoji, count: Number(count) || 0 }));
  return out;
}

/** Markdown lines for a reply's quote (before the text). */
function quoteLines(msg) {
  if (!msg.replyTo) return [];
  const said = msg.replyTo.deleted ? `*${t('replyDeleted')}*` : String(msg.replyTo.text ?? '').split('\n').join(' ');
  // A blank line after it: the text is not part of the quote.
  return [`> *${t('replyInReplyTo')} ${escapeName(msg.replyTo.from.name)}:* ${said}`, ''];
}

/** The Markdown line of a message's reactions (after it), or none. */
function reactionLines(msg) {
  if (!msg.reactions?.length) return [];
  return ['', `*${t('reactGroup')}:* ${msg.reactions.map((r) => `${r.emoji} ${formatNumber(r.count)}`).join(' · ')}`];
}

function escapeName(name) {
  return String(name).replace(/[*_`\\]/g, '\\$&');
}

export function toJson({ room, lang, messages, at }) {
  return `${JSON.stringify({ room, lang, exportedAt: new Date(at).toISOString(), messages }, null, 2)}\n`;
}

/** Markdown in the interface language: a heading per day, the original quoted under each translation. */
export function toMarkdown({ room, lang, messages, at }) {
  const locale = currentLocale();
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'full' });
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const lines = [`# ${t('exportHeading', { room })}`, '',
    t('exportMeta', { date: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeStyle: 'short' }).format(at), lang: languageLabel(lang) }), ''];
  let lastDay = '';
  for (const msg of messages) {
    const when = new Date(Number(msg.ts));
    const dayText = Number.isFinite(when.getTime()) ? day.format(when) : '';
    if (dayText && dayText !== lastDay) {
      lines.push(`## ${dayText}`, '');
      lastDay = dayText;
    }
    const clock = Number.isFinite(when.getTime()) ? ` · ${time.format(when)}` : '';
    lines.push(`**${msg.from.name.replace(/[*_`\\]/g, '\\$&')}**${clock}  `);
    lines.push(...quoteLines(msg));
    const text = msg.deleted ? `*${t('amendDeleted')}*` : String(msg.text);
    lines.push(...text.split('\n').map((line, i, all) => (i < all.length - 1 ? `${line}  ` : line)));
    if (msg.original !== undefined && msg.original.trim() !== String(msg.text).trim()) {
      lines.push('', `> *${t('exportOriginal', { lang: languageLabel(msg.sourceLang ?? '') })}*  `);
      lines.push(...msg.original.split('\n').map((line) => `> ${line}  `));
    }
    lines.push(...reactionLines(msg), '');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export class Exporter {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.before  the settings control to put the buttons before
   * @param {(frame: object) => boolean} parts.send
   * @param {() => {room: string, lang: string}} parts.current
   * @param {() => boolean} parts.historyBusy  the page's own history request is in flight
   * @param {number} parts.pageSize
   */
  constructor({ before, send, current, historyBusy, pageSize }) {
    Object.assign(this, { send, current, historyBusy, pageSize });
    this.job = null;
    const box = el('div', 'export');
    box.id = 'export';
    box.setAttribute('role', 'group');
    box.setAttribute('aria-labelledby', 'export-title');
    const title = el('span', 'export-title', t('exportLegend'));
    title.id = 'export-title';
    title.dataset.i18n = 'exportLegend';
    this.buttons = FORMATS.map(([format, key]) => {
      const button = el('button', 'export-button', t(key));
      button.type = 'button';
      button.id = `export-${format}`;
      button.dataset.i18n = key;
      button.addEventListener('click', () => this.start(format));
      return button;
    });
    this.progress = el('progress', 'export-progress');
    this.progress.id = 'export-progress';
    this.progress.hidden = true;
    this.progress.setAttribute('aria-labelledby', 'export-title');
    this.status = el('span', 'field-hint export-status');
    this.status.id = 'export-status';
    this.status.setAttribute('role', 'status');
    box.append(title, ...this.buttons, this.progress, this.status);
    before.before(box);
  }

  get running() {
    return this.job !== null;
  }

  async start(format) {
    if (this.job) return;
    const { room, lang } = this.current();
    this.job = { format, room, lang, pages: [], count: 0, timer: null, asked: false };
    this.buttons.forEach((button) => { button.disabled = true; });
    this.progress.hidden = false;
    this.progress.removeAttribute('value'); // how many there are is unknown until the end
    this.status.textContent = t('exportProgress', { count: 0 });
    // The page's own "load earlier" reply must not be taken for ours.
    for (let waited = 0; this.historyBusy() && waited < 50; waited += 1) {
      await new Promise((done) => { setTimeout(done, 100); });
    }
    if (!this.job) return; // failed meanwhile (room switch, reconnect)
    this.job.asked = true;
    this.request(null);
  }

  request(before) {
    const frame = { action: 'history', limit: this.pageSize };
    if (before) frame.before = before;
    clearTimeout(this.job.timer);
    this.job.timer = setTimeout(() => this.fail(), PAGE_TIMEOUT_MS);
    if (!this.send(frame)) this.fail();
  }

  /** A frame from the server: true when it was ours to take. */
  take(frame) {
    const { job } = this;
    if (!job?.asked) return false;
    if (frame.type === 'error' && frame.action === 'history') {
      this.fail();
      return true;
    }
    if (frame.type !== 'history') return false;
    if (frame.room !== job.room || frame.lang !== job.lang) return true; // a stale reply; ours is next
    const messages = Array.isArray(frame.messages) ? frame.messages.map(entry) : [];
    job.pages.unshift(messages); // pages come newest first, each oldest first
    job.count += messages.length;
    this.status.textContent = t('exportProgress', { count: job.count });
    if (frame.next) this.request(frame.next);
    else this.finish();
    return true;
  }

  finish() {
    const { job } = this;
    const messages = job.pages.flat();
    const at = Date.now();
    const data = { room: job.room, lang: job.lang, messages, at };
    const [body, type] = job.format === 'json'
      ? [toJson(data), 'application/json']
      : [toMarkdown(data), 'text/markdown'];
    const stamp = new Date(at).toISOString().slice(0, 10);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([body], { type: `${type};charset=utf-8` }));
    link.download = `honyaku-${job.room}-${stamp}.${job.format}`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    this.end(t('exportDone', { count: messages.length }));
  }

  /** The connection dropped, the room changed, a refusal, or no answer. */
  fail() {
    if (this.job) this.end(t('exportFailed'));
  }

  end(text) {
    clearTimeout(this.job?.timer);
    this.job = null;
    this.buttons.forEach((button) => { button.disabled = false; });
    this.progress.hidden = true;
    this.status.textContent = text;
  }
}
