// The join form: each field's error next to it (input kept), a language
// finder, and a word before someone picks a language the engine cannot
// translate.
import { t } from './i18n.js';
import {
  enginesText, fillLanguageSelect, isTranslated, languageLabel, translatedCount,
} from './languages.js';
import { langProblem, nameProblem, roomProblem } from './prefs.js';

/** Show `text` as the error of `input` in `errorNode` (empty clears it). */
export function fieldError(input, errorNode, text) {
  errorNode.textContent = text;
  input.setAttribute('aria-invalid', String(Boolean(text)));
}

/** What a reader of `code` should know about what translates here (and which engines do), '' when nothing. */
export function languageNote(code) {
  const engines = enginesText();
  return [capabilityNote(code), engines ? t('enginesHere', { engines }) : ''].filter(Boolean).join(' ');
}

function capabilityNote(code) {
  const translated = translatedCount();
  if (translated === 0) return t('langHintNone');
  if (isTranslated(code) === false) return t('langHintPicked', { lang: languageLabel(code) });
  if (isTranslated(code) === 'into') return t('langHintOneWay', { lang: languageLabel(code) });
  if (translated !== null) return t('langHintSome', { count: translated });
  return '';
}

export class JoinForm {
  /**
   * @param {object} ui  the page's elements
   * @param {object} handlers
   * @param {(values: {name: string, room: string, lang: string}) => void} handlers.onJoin
   * @param {(lang: string) => void} handlers.onLanguage  the reader picked another language
   */
  constructor(ui, { onJoin, onLanguage }) {
    this.ui = ui;
    this.fields = [
      [ui.name, ui.nameError, () => nameProblem(ui.name.value)],
      [ui.room, ui.roomError, () => roomProblem(ui.room.value.trim())],
      [ui.lang, ui.langError, () => langProblem(ui.lang.value)],
    ];
    ui.joinForm.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit(onJoin);
    });
    ui.langFind.addEventListener('input', () => {
      const matched = fillLanguageSelect(ui.lang, ui.lang.value, ui.langFind.value);
      fieldError(ui.langFind, ui.langError, matched ? '' : t('langNoMatch', { query: ui.langFind.value.trim() }));
      this.showNote();
    });
    // The interface follows once the finding is done (the typed query may
    // not match the language's name in another interface language).
    ui.langFind.addEventListener('change', () => onLanguage(ui.lang.value));
    ui.lang.addEventListener('change', () => {
      this.showNote();
      onLanguage(ui.lang.value);
    });
    // A field's error goes once the field is fixed.
    for (const [input, errorNode, problem] of this.fields) {
      input.addEventListener('input', () => {
        if (errorNode.textContent && !problem()) fieldError(input, errorNode, '');
      });
    }
  }

  fill({ name, room, lang }) {
    this.ui.name.value = name;
    this.ui.room.value = room;
    this.ui.langFind.value = '';
    this.refill(lang);
  }

  /** Rebuild the language list (after a change of interface language or of the engine's reach). */
  refill(lang = this.ui.lang.value) {
    fillLanguageSelect(this.ui.lang, lang, this.ui.langFind.value);
    this.showNote();
  }

  showNote() {
    this.ui.langHint.textContent = languageNote(this.ui.lang.value);
    this.ui.langHint.dataset.warn = String(isTranslated(this.ui.lang.value) !== true
      && isTranslated(this.ui.lang.value) !== null);
  }

  /** Check every field, showing each problem beside its field; focus the first bad one. */
  validate() {
    let first = null;
    for (const [input, errorNode, problem] of this.fields) {
      const text = problem();
      fieldError(input, errorNode, text);
      if (text && !first) first = input;
    }
    first?.focus();
    return first === null;
  }

  submit(onJoin) {
    if (!this.validate()) return;
    const { ui } = this;
    onJoin({ name: ui.name.value.trim(), room: ui.room.value.trim(), lang: ui.lang.value });
  }

  focus() {
    (this.ui.name.value.trim() ? this.ui.joinButton : this.ui.name).focus();
  }
}
