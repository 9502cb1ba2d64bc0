// Changing what was said and how it reads (protocol v1.2): "Edit" and
// "Delete" on my own messages, "Suggest a better translation" on messages
// that reached me translated, and the `edited`, `deleted` and `corrected`
// frames that change a message in place for everyone. Which buttons show
// follows the item's `own` class (style in amend.css), so a message that
// turns out to be mine once my tag is known needs no redrawing.
import { t, tIsolated } from './i18n.js';
import { languageInUi } from './languages.js';
import { newClientMsgId } from './pending.js';
import { el, errorText } from './render.js';
import { DeleteDialog, editorKeys, refusalText } from './amend-ui.js';

const ACTIONS = new Set(['edit', 'delete', 'correct']);
const encoder = new TextEncoder();
let uniqueId = 0;

function button(className, key, onClick) {
  const made = el('button', className, t(key));
  made.type = 'button';
  made.dataset.i18n = key;
  made.addEventListener('click', onClick);
  return made;
}

function timeTitle(ts) {
  const date = new Date(Number(ts));
  return Number.isFinite(date.getTime()) ? date.toLocaleString(document.documentElement.lang) : '';
}

export class Amend {
  /**
   * @param {object} parts
   * @param {object} parts.timeline              the conversation list (find, decorate)
   * @param {(frame: object) => boolean} parts.send  false when offline
   * @param {(msg: object) => HTMLElement} parts.render  a message item, as the page draws one
   * @param {() => string} parts.room            my room
   * @param {() => number} parts.maxBytes        the longest text, in UTF-8 bytes
   */
  constructor({ timeline, send, render, room, maxBytes }) {
    Object.assign(this, { timeline, send, render, room, maxBytes });
    this.msgs = new WeakMap(); // item → the message it shows
    this.ops = new Map(); // clientMsgId → { kind, id } in flight
    this.dialog = new DeleteDialog((id) => this.remove(id));
  }

  /** Finish an item made by `messageElement`: marks, a tombstone, the actions. Returns the item. */
  decorate(item, msg) {
    this.msgs.set(item, msg);
    if (msg.deleted === true) return this.tombstone(item);
    const marks = [];
    if (Number.isFinite(Number(msg.editedAt)) && msg.editedAt) {
      const edited = el('span', 'amend-edited', t('amendEdited'));
      edited.dataset.i18n = 'amendEdited';
      edited.title = timeTitle(msg.editedAt);
      marks.push(edited);
    }
    if (msg.correctedBy && typeof msg.correctedBy === 'object') {
      item.querySelector('.meta .engine')?.remove(); // "by memory" says less than who corrected it
      const by = el('span', 'amend-corrected');
      by.append(...tIsolated('amendCorrectedBy', { name: String(msg.correctedBy.name ?? t('someone')) }));
      marks.push(by);
    }
    if (marks.length) {
      const line = el('p', 'amend-marks');
      marks.forEach((mark, i) => line.append(...(i ? [' · ', mark] : [mark])));
      item.querySelector('.text')?.after(line);
    }
    if (msg.id === undefined) return item;
    const row = el('div', 'amend-actions');
    row.append(
      button('amend-edit', 'amendEdit', () => this.openEditor(item, 'edit')),
      button('amend-delete', 'amendDelete', () => this.dialog.open(item.dataset.id, row.querySelector('.amend-delete'))),
    );
    // A reader of another language may say it better (also where the engine could not translate).
    if (msg.sourceLang && msg.lang && msg.sourceLang !== msg.lang) {
      row.append(button('amend-suggest', 'amendSuggest', () => this.openEditor(item, 'correct')));
    }
    item.append(row);
    return item;
  }

  /** A deleted message: who sent it and when stay, the words go. */
  tombstone(item) {
    item.classList.add('deleted');
    delete item.dataset.untranslated;
    delete item.dataset.clientMsgId;
    const meta = item.querySelector('.meta');
    item.replaceChildren(...(meta ? [meta] : []));
    meta?.querySelector('.engine')?.remove();
    const text = el('p', 'amend-deleted-text', t('amendDeleted'));
    text.dataset.i18n = 'amendDeleted';
    item.append(text);
    item.tabIndex = -1; // focus lands here when the message goes from under it
    return item;
  }

  /** A frame from the server: true when it was one of mine to handle. */
  take(frame) {
    if (frame.type === 'error') return this.refused(frame);
    if (!['edited', 'deleted', 'corrected'].includes(frame.type) || frame.room !== this.room()) return false;
    const item = this.timeline.find(frame.id);
    if (frame.type === 'edited') this.edited(item, frame);
    else if (frame.type === 'deleted') this.deleted(item, frame);
    else this.corrected(item, frame);
    return true;
  }

  edited(item, frame) {
    const op = this.settle((o) => o.kind === 'edit' && o.id === frame.id, frame.clientMsgId);
    if (!item) return;
    const editor = op ? null : item.querySelector('.amend-editor');
    const fresh = this.replace(item, { ...frame, type: 'message' }, op ? '.amend-edit' : null);
    if (editor) this.keepEditor(fresh, editor);
  }

  deleted(item, frame) {
    const op = this.settle((o) => o.id === frame.id);
    if (!item) return;
    const msg = this.msgs.get(item) ?? {};
    this.replace(item, { id: frame.id, ts: msg.ts, from: msg.from, deleted: true }, op ? '' : null);
  }

  corrected(item, frame) {
    if (!item || frame.lang !== item.dataset.lang || typeof frame.text !== 'string') return;
    const op = this.settle((o) => o.kind === 'correct' && o.id === frame.id);
    const msg = { ...(this.msgs.get(item) ?? {}), text: frame.text, translated: true, engine: 'memory' };
    msg.correctedBy = frame.by && typeof frame.by === 'object' ? frame.by : {};
    delete msg.error;
    delete msg.via;
    const editor = op ? null : item.querySelector('.amend-editor');
    const fresh = this.replace(item, msg, op ? '.amend-suggest' : null);
    if (editor) this.keepEditor(fresh, editor);
  }

  /** The op in flight that `match`es (or has `clientMsgId`), forgotten; null when none. */
  settle(match, clientMsgId) {
    for (const [key, op] of this.ops) {
      if (key === clientMsgId || match(op)) {
        this.ops.delete(key);
        return op;
      }
    }
    return null;
  }

  /**
   * Put the message drawn from `msg` where `item` was. Focus inside the old
   * item moves to `focusSelector` in the new one ('' for the item itself).
   */
  replace(item, msg, focusSelector) {
    const active = item.contains(document.activeElement) ? document.activeElement : null;
    const fresh = this.render(msg);
    item.replaceWith(fresh);
    this.timeline.decorate();
    // My own change: focus stays with the message, even from a button disabled meanwhile.
    if (active || (focusSelector !== null && document.activeElement === document.body)) {
      const same = active?.classList[0] ? fresh.querySelector(`.${CSS.escape(active.classList[0])}`) : null;
      const target = (focusSelector && fresh.querySelector(focusSelector)) || same || fresh;
      if (target === fresh) fresh.tabIndex = -1;
      target.focus();
    }
    return fresh;
  }

  /** Someone changed a message while I was writing about it: my words stay, with a word of warning. */
  keepEditor(item, editor) {
    const text = item.querySelector('.text');
    if (!text) return;
    const refocus = document.activeElement === item || document.activeElement === document.body;
    text.hidden = true;
    text.after(editor);
    if (refocus) editor.querySelector('textarea')?.focus();
    item.querySelector('.amend-actions')?.setAttribute('hidden', '');
    this.showError(item, t('amendChangedMeanwhile'));
  }

  /** An `error` answering one of my edits, deletes or corrections: said beside the action. */
  refused(frame) {
    if (!ACTIONS.has(frame.action)) return false;
    const op = frame.clientMsgId !== undefined ? this.ops.get(frame.clientMsgId) : undefined;
    if (!op) return false;
    this.ops.delete(frame.clientMsgId);
    const item = this.timeline.find(op.id);
    if (!item) return true;
    const editor = item.querySelector('.amend-editor');
    if (editor) this.busy(editor, false);
    this.showError(item, refusalText(frame, errorText(frame)));
    const input = editor?.querySelector('textarea');
    if (input) input.focus();
    else item.querySelector('.amend-delete')?.focus();
    return true;
  }

  showError(item, text) {
    let box = item.querySelector('.amend-error');
    if (!box) {
      box = el('p', 'amend-error');
      box.id = `amend-error-${++uniqueId}`;
      box.setAttribute('role', 'alert');
      item.append(box);
    }
    box.textContent = text;
    item.querySelector('.amend-editor textarea')?.setAttribute('aria-describedby', box.id);
  }

  /** Send one op; false (with the reason beside it) when offline. */
  dispatch(item, frame) {
    const clientMsgId = newClientMsgId();
    if (!this.send({ ...frame, clientMsgId })) {
      this.showError(item, t('amendOffline'));
      return false;
    }
    this.ops.set(clientMsgId, { kind: frame.action, id: frame.id });
    item.querySelector('.amend-error')?.remove();
    return true;
  }

  /** The confirmed delete of message `id`. */
  remove(id) {
    const item = this.timeline.find(id);
    if (item) this.dispatch(item, { action: 'delete', id });
  }

  /** "Edit" (my words, as written) or "Suggest a better translation" (the words I read), in place. */
  openEditor(item, kind) {
    for (const open of document.querySelectorAll('#messages .amend-editor')) this.closeEditor(open, false);
    const msg = this.msgs.get(item);
    const text = item.querySelector('.text');
    if (!msg || !text) return;
    const edit = kind === 'edit';
    const lang = String((edit ? msg.sourceLang : msg.lang) ?? '');
    const id = `amend-input-${++uniqueId}`;
    const form = el('form', 'amend-editor');
    form.dataset.kind = kind;
    const label = el('label', 'amend-label', edit ? t('amendEditLabel') : t('amendSuggestLabel', { lang: languageInUi(lang) }));
    label.htmlFor = id;
    const input = el('textarea', 'amend-input');
    input.id = id;
    input.rows = 2;
    input.dir = 'auto';
    if (lang) input.lang = lang;
    const before = String((edit ? msg.original ?? msg.text : msg.text) ?? '');
    input.value = before;
    const hint = el('p', 'amend-hint', t('amendKeys'));
    hint.id = `${id}-hint`;
    input.setAttribute('aria-describedby', hint.id);
    const save = el('button', 'amend-save', t(edit ? 'amendSave' : 'amendSend'));
    save.type = 'submit';
    const cancel = button('amend-cancel', 'amendCancel', () => this.closeEditor(form, true));
    const buttons = el('div', 'amend-buttons');
    buttons.append(save, cancel);
    form.append(label, input, hint, buttons);
    editorKeys(input, form, () => this.closeEditor(form, true));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit(item.isConnected ? item : form.closest('.message'), form, kind, input.value, before);
    });
    text.hidden = true;
    text.after(form);
    item.querySelector('.amend-actions').hidden = true;
    input.focus();
    input.setSelectionRange(input.value.length, input.value.length);
  }

  submit(item, form, kind, value, before) {
    if (!item || form.getAttribute('aria-busy') === 'true') return;
    const text = value.trim();
    if (!text) return this.showError(item, t('err_empty_text'));
    if (encoder.encode(text).length > this.maxBytes()) return this.showError(item, t('err_text_too_long'));
    if (text === before.trim()) return this.closeEditor(form, true);
    if (this.dispatch(item, { action: kind, id: item.dataset.id, text })) this.busy(form, true);
  }

  busy(form, on) {
    form.setAttribute('aria-busy', String(on));
    const save = form.querySelector('.amend-save');
    save.disabled = on;
    save.textContent = on ? t('amendSaving') : t(form.dataset.kind === 'edit' ? 'amendSave' : 'amendSend');
  }

  /** Close an editor; `focus` puts focus back on the button that opened it. */
  closeEditor(form, focus) {
    const item = form.closest('.message');
    const kind = form.dataset.kind;
    form.remove();
    if (!item) return;
    item.querySelector('.text')?.removeAttribute('hidden');
    item.querySelector('.amend-actions')?.removeAttribute('hidden');
    item.querySelector('.amend-error')?.remove();
    if (focus) item.querySelector(kind === 'edit' ? '.amend-edit' : '.amend-suggest')?.focus();
  }
}
