// The room glossary (protocol v1.2), from a "Glossary" button among the
// settings: a dialog listing the room's terms (kept as written, or written
// one way in one language), a form to add one and a button to remove each.
// A save replaces the whole list at the version shown; when someone else
// saved first (`conflict`) their list is loaded and shown, and what I typed
// stays in the form. Where tokens are required only admins may change it
// (`forbidden`), and the dialog says so.
import { t, tIsolated } from './i18n.js';
import { fillLanguageSelect, languageInUi } from './languages.js';
import { newClientMsgId } from './pending.js';
import { el, errorText } from './render.js';

const MAX_TERMS = 200;
const MAX_CHARS = 100;
const MAX_JSON_BYTES = 96 * 1024;
const CONTROL_RE = /\p{Cc}/u;

const normal = (text) => String(text ?? '').normalize('NFC').trim();
const sameTerms = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** `tag` with `data-i18n` set to `key` (so the page relabels it), and an id when given. */
function labelled(tag, className, key, id) {
  const node = el(tag, className, t(key));
  node.dataset.i18n = key;
  if (id) node.id = id;
  return node;
}

function field(id, key, control, wide = false) {
  const box = el('div', wide ? 'glossary-field wide' : 'glossary-field');
  const label = labelled('label', '', key);
  label.htmlFor = id;
  control.id = id;
  box.append(label, control);
  return box;
}

export class Glossary {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.before  the Glossary button goes before this element
   * @param {(frame: object) => boolean} parts.send  false when offline
   * @param {() => {room: string}} parts.current   my room
   */
  constructor({ before, send, current }) {
    Object.assign(this, { send, current });
    this.state = { room: null, version: 0, terms: [], by: null, loaded: false };
    this.saving = null; // { clientMsgId, terms, kind, term }
    this.button = labelled('button', 'glossary-button', 'glossaryOpen', 'glossary-button');
    this.button.type = 'button';
    this.button.setAttribute('aria-haspopup', 'dialog');
    before.before(this.button);
    this.build();
    this.button.addEventListener('click', () => this.open());
  }

  build() {
    const dialog = el('dialog', 'glossary-dialog');
    dialog.id = 'glossary-dialog';
    dialog.setAttribute('aria-labelledby', 'glossary-title');
    dialog.setAttribute('aria-describedby', 'glossary-help');
    const title = labelled('h2', 'glossary-title', 'glossaryTitle', 'glossary-title');
    const help = labelled('p', 'glossary-help', 'glossaryHelp', 'glossary-help');
    this.status = el('p', 'glossary-state');
    this.status.id = 'glossary-state';
    this.status.setAttribute('aria-live', 'polite');
    this.list = el('ul', 'glossary-list');
    this.list.id = 'glossary-list';
    this.list.setAttribute('aria-labelledby', 'glossary-title');

    this.form = el('form', 'glossary-form');
    this.form.id = 'glossary-form';
    this.form.noValidate = true;
    this.term = el('input');
    this.lang = el('select');
    this.as = el('input');
    for (const input of [this.term, this.as]) {
      Object.assign(input, { type: 'text', autocomplete: 'off', dir: 'auto', maxLength: MAX_CHARS * 2 });
      input.setAttribute('aria-describedby', 'glossary-error');
    }
    this.as.disabled = true;
    this.lang.setAttribute('aria-describedby', 'glossary-form-hint');
    this.error = el('p', 'glossary-error');
    this.error.id = 'glossary-error';
    this.error.setAttribute('role', 'alert');
    this.add = labelled('button', 'glossary-add', 'glossaryAdd', 'glossary-add');
    this.add.type = 'submit';
    this.form.append(
      labelled('h3', '', 'glossaryAddTitle'),
      field('glossary-term', 'glossaryTerm', this.term, true),
      field('glossary-lang', 'glossaryLang', this.lang),
      field('glossary-as', 'glossaryAs', this.as),
      labelled('p', 'hint', 'glossaryFormHint', 'glossary-form-hint'),
      this.error, this.add,
    );
    const actions = el('form', 'glossary-actions');
    actions.method = 'dialog';
    const close = labelled('button', 'glossary-close', 'close', 'glossary-close');
    actions.append(close);
    dialog.append(title, help, this.status, this.list, this.form, actions);
    document.body.append(dialog);
    this.dialog = dialog;

    this.form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.addTerm();
    });
    // No focus jump here: arrow keys on a closed <select> fire `change` at every step.
    this.lang.addEventListener('change', () => { this.as.disabled = !this.lang.value; });
    for (const input of [this.term, this.as]) input.addEventListener('input', () => this.showError('', null));
    dialog.addEventListener('close', () => this.button.focus());
  }

  open() {
    if (this.state.room !== this.current().room) this.forget();
    fillLanguageSelect(this.lang, '');
    const any = el('option', '', t('glossaryAnyLang'));
    any.value = '';
    this.lang.prepend(any);
    this.lang.value = this.pickedLang ?? '';
    this.as.disabled = !this.lang.value;
    this.render();
    this.dialog.showModal();
    this.term.focus();
    this.load();
  }

  forget() {
    this.state = { room: this.current().room, version: 0, terms: [], by: null, loaded: false };
    this.saving = null;
    this.setBusy(false);
  }

  load() {
    if (!this.send({ action: 'glossary' })) this.status.textContent = t('amendOffline');
  }

  /** A frame from the server: true when it was the glossary's. */
  take(frame) {
    if (frame.type === 'glossary') {
      if (frame.room === this.current().room) this.apply(frame);
      return true;
    }
    if (frame.type !== 'error' || !['glossary', 'glossary_set'].includes(frame.action)) return false;
    this.refused(frame);
    return true;
  }

  apply(frame) {
    const terms = Array.isArray(frame.terms)
      ? frame.terms.filter((entry) => entry && typeof entry.term === 'string') : [];
    this.state = {
      room: frame.room, version: Number(frame.version) || 0, terms,
      by: frame.by && typeof frame.by === 'object' ? frame.by : null, loaded: true,
    };
    const saved = this.saving && sameTerms(terms, this.saving.terms) ? this.saving : null;
    const focusLost = document.activeElement === document.body || !this.dialog.contains(document.activeElement);
    if (saved) {
      this.saving = null;
      this.setBusy(false);
    }
    this.render();
    if (!saved) return;
    if (saved.kind === 'add') {
      this.term.value = '';
      this.as.value = '';
      this.status.textContent = t('glossarySaved', { term: saved.term });
    } else {
      this.status.textContent = t('glossaryRemoved', { term: saved.term });
    }
    if (!this.dialog.open) return;
    if (saved.kind === 'add') {
      if (focusLost) this.term.focus();
    } else {
      const removes = this.list.querySelectorAll('.glossary-remove');
      (removes[saved.index] ?? removes[saved.index - 1] ?? this.term).focus();
    }
  }

  refused(frame) {
    if (frame.action === 'glossary') {
      this.status.textContent = errorText(frame);
      return;
    }
    if (!this.saving || frame.clientMsgId !== this.saving.clientMsgId) return;
    const { kind } = this.saving;
    this.saving = null;
    this.setBusy(false);
    const code = String(frame.code ?? '');
    let text;
    if (code === 'conflict') {
      text = t(kind === 'add' ? 'glossaryConflict' : 'glossaryConflictRemove');
      this.load(); // theirs, to be shown; my input stays in the form
    } else if (code === 'forbidden') {
      text = t('glossaryForbidden');
    } else if (code === 'bad_request' && frame.message) {
      text = `${t('glossaryInvalid')} (${frame.message})`;
    } else {
      text = errorText(frame);
    }
    this.showError(text, kind === 'add' ? this.term : null);
  }

  /** The form's term, checked here as the server would; saved when it passes. */
  addTerm() {
    if (this.saving) return;
    const term = normal(this.term.value);
    const lang = this.lang.value;
    const as = normal(this.as.value);
    const bad = (text) => !text || [...text].length > MAX_CHARS || CONTROL_RE.test(text);
    if (!term) return this.showError(t('glossaryNeedTerm'), this.term);
    if (bad(term)) return this.showError(t('glossaryTermInvalid', { max: MAX_CHARS }), this.term);
    if (lang && !as) return this.showError(t('glossaryNeedAs'), this.as);
    if (lang && bad(as)) return this.showError(t('glossaryTermInvalid', { max: MAX_CHARS }), this.as);
    if (!this.state.loaded) {
      this.load();
      return this.showError(t('glossaryNotLoaded'), this.term);
    }
    const { terms } = this.state;
    if (terms.some((entry) => entry.term === term && (entry.lang ?? '') === lang)) {
      return this.showError(t('glossaryDuplicate'), this.term);
    }
    if (terms.length >= MAX_TERMS) return this.showError(t('glossaryFull', { max: MAX_TERMS }), this.term);
    const next = [...terms, lang ? { term, lang, as } : { term }];
    if (new TextEncoder().encode(JSON.stringify(next)).length > MAX_JSON_BYTES) {
      return this.showError(t('glossaryTooBig'), this.term);
    }
    this.pickedLang = lang;
    return this.save(next, { kind: 'add', term });
  }

  remove(index) {
    if (this.saving) return;
    const entry = this.state.terms[index];
    if (!entry) return;
    this.save(this.state.terms.filter((_, i) => i !== index), { kind: 'remove', term: entry.term, index });
  }

  save(terms, what) {
    const clientMsgId = newClientMsgId();
    const sent = this.send({ action: 'glossary_set', version: this.state.version, terms, clientMsgId });
    if (!sent) return this.showError(t('amendOffline'), null);
    this.saving = { clientMsgId, terms, ...what };
    this.showError('', null);
    this.setBusy(true);
    this.status.textContent = t('amendSaving');
    return true;
  }

  setBusy(on) {
    this.add.disabled = on;
    this.list.setAttribute('aria-busy', String(on));
    for (const remove of this.list.querySelectorAll('.glossary-remove')) remove.disabled = on;
  }

  /** `text` beside the form ('' clears it); `input` is marked and focused. */
  showError(text, input) {
    this.error.textContent = text;
    for (const each of [this.term, this.as]) each.removeAttribute('aria-invalid');
    if (text && input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  render() {
    const { terms, by, loaded } = this.state;
    const items = terms.map((entry, index) => {
      const item = el('li', 'glossary-entry');
      const what = el('div', 'glossary-what');
      const term = el('span', 'glossary-term', entry.term);
      term.dir = 'auto';
      const rule = el('span', 'glossary-rule');
      if (entry.lang && typeof entry.as === 'string') {
        rule.append(...tIsolated('glossaryRuleAs', { lang: languageInUi(entry.lang), as: entry.as }));
      } else {
        rule.textContent = t('glossaryRuleKeep');
      }
      what.append(term, rule);
      const remove = el('button', 'glossary-remove', t('glossaryRemove'));
      remove.type = 'button';
      remove.setAttribute('aria-label', t('glossaryRemoveLabel', { term: entry.term }));
      remove.disabled = this.saving !== null;
      remove.addEventListener('click', () => this.remove(index));
      item.append(what, remove);
      return item;
    });
    this.list.replaceChildren(...items);
    this.list.hidden = items.length === 0;
    if (this.saving) return;
    if (!loaded) this.status.textContent = t('glossaryLoading');
    else if (terms.length === 0) this.status.textContent = t('glossaryEmpty');
    else {
      this.status.replaceChildren(t('glossaryCount', { count: terms.length }), ...(by?.name
        ? [' · ', ...tIsolated('glossaryChangedBy', { name: String(by.name) })] : []));
    }
  }
}
