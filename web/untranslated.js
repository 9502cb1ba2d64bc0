// What does not translate here, said once and quietly. A reader sees "not
// translated" on the first message of each sender and language (the
// message itself reads as written); a sender whom no reader of another
// language can read translated sees one note above the composer. Both
// explain why in place, so a phone reaches it without opening Settings.
import { currentLocale, t, tIsolated } from './i18n.js';
import { enginesText, languageInUi, translatesPair } from './languages.js';

let uniqueId = 0;

function node(tag, className, text) {
  const made = document.createElement(tag);
  made.className = className;
  if (text !== undefined) made.textContent = text;
  return made;
}

/** A "Why?" button that shows and hides `detail` (a node placed after it). */
export function whyToggle(detail) {
  detail.id ||= `why-${++uniqueId}`;
  detail.hidden = true;
  const button = node('button', 'why', t('why'));
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-controls', detail.id);
  button.addEventListener('click', () => {
    detail.hidden = !detail.hidden;
    button.setAttribute('aria-expanded', String(!detail.hidden));
  });
  return button;
}

/** "Engines on this server: …" when the server says, else ''. */
function enginesSentence() {
  const list = enginesText();
  return list ? ` ${t('enginesHere', { engines: list })}` : '';
}

const TRANSIENT = { translation_failed: 'errTranslationFailed', translation_unavailable: 'errTranslationUnavailable' };

/**
 * The marker of a message that came untranslated. A pair this server does
 * not translate is keyed by sender and language (`item.dataset.untranslated`)
 * so only the first of each shows it; a failure of the moment shows on its
 * message.
 */
export function untranslatedMarker(item, msg, senderKey) {
  const code = String(msg.error);
  const box = node('div', 'untranslated');
  box.dataset.code = code;
  const from = typeof msg.sourceLang === 'string' && msg.sourceLang ? msg.sourceLang : null;
  const to = typeof msg.lang === 'string' && msg.lang ? msg.lang : null;
  if (code === 'unsupported_language_pair' && from && to) {
    item.dataset.untranslated = `${senderKey}|${from}|${to}`;
    const langs = { from: languageInUi(from), to: languageInUi(to) };
    const detail = node('p', 'why-text');
    detail.append(...tIsolated('untranslatedExplain', { ...langs, name: String(msg.from?.name ?? t('someone')) }),
      enginesSentence());
    box.append(node('p', 'error-marker', t('untranslatedPair', langs)), ' ', whyToggle(detail), detail);
  } else {
    const key = TRANSIENT[code] ?? (code === 'unsupported_language_pair' ? 'errPairUnsupported' : null);
    box.append(node('p', 'error-marker', key ? t(key) : t('errNotTranslatedCode', { code })));
  }
  return box;
}

/** One pass over the list: only the first message of each sender and language says "not translated". */
export function markFirstUntranslated(list) {
  const seen = new Set();
  for (const item of list.querySelectorAll('.message[data-untranslated]')) {
    const key = item.dataset.untranslated;
    item.classList.toggle('untranslated-first', !seen.has(key));
    seen.add(key);
  }
}

/**
 * The sender's note: shown while someone in the room reads a language this
 * server cannot translate mine into; dismissed, it stays away for that
 * room and language.
 */
export class SenderNote {
  /** @param {object} ui  the page's elements (langNote, langNoteText, langNoteDetail, langNoteClose) */
  constructor(ui) {
    this.ui = ui;
    this.dismissed = null;
    this.shownFor = null;
    ui.langNoteText.after(' ', whyToggle(ui.langNoteDetail));
    ui.langNoteClose.addEventListener('click', () => {
      this.dismissed = this.shownFor;
      ui.langNote.hidden = true;
    });
  }

  /**
   * Show or hide the note for my room and language, given the other
   * members' languages: shown when none of those who read another language
   * can read mine translated.
   */
  update({ room, lang }, othersLangs) {
    const others = [...new Set(othersLangs)].filter((other) => other !== lang);
    const unreached = others.filter((other) => translatesPair(lang, other) === false);
    const key = `${room}|${lang}|${unreached.join(',')}`;
    const show = others.length > 0 && unreached.length === others.length && this.dismissed !== `${room}|${lang}`;
    this.shownFor = `${room}|${lang}`;
    this.ui.langNote.hidden = !show;
    if (!show || this.key === key) return;
    this.key = key;
    const langs = new Intl.ListFormat(currentLocale(), { type: 'conjunction' })
      .format(unreached.map(languageInUi));
    this.ui.langNoteText.textContent = t('senderNote', { lang: languageInUi(lang), langs });
    this.ui.langNoteDetail.textContent = t('senderNoteExplain', { lang: languageInUi(lang) }) + enginesSentence();
  }

  /** The interface language changed: word it again. */
  relabel(where, othersLangs) {
    this.key = null;
    this.ui.langNote.querySelector('.why').textContent = t('why');
    this.update(where, othersLangs);
  }
}
