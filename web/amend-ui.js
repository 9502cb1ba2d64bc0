// Small pieces of amend.js: the keys of an inline editor, the words for a
// refused edit, delete or correction, and the dialog that asks before a
// message is deleted for everyone (a modal <dialog>: focus stays inside,
// Escape cancels, focus goes back to the Delete button).
import { t } from './i18n.js';
import { el, REFUSALS } from './render.js';

/** Why an edit, delete or correction was refused, in the reader's language; `fallback` for other codes. */
export function refusalText(frame, fallback) {
  const code = String(frame.code ?? '');
  const key = Object.hasOwn(REFUSALS, code) ? REFUSALS[code] : null;
  return key ? t(key) : fallback;
}

/** Enter saves (Shift+Enter is a new line, and an IME's Enter is its own); Escape cancels. */
export function editorKeys(input, form, cancel) {
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing && event.keyCode !== 229 && !event.altKey) {
      event.preventDefault();
      form.requestSubmit();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    }
  });
}

export class DeleteDialog {
  /** @param {(id: string) => void} onConfirm  the reader confirmed deleting message `id` */
  constructor(onConfirm) {
    this.onConfirm = onConfirm;
    this.dialog = null;
    this.id = null;
    this.target = null; // the message whose delete was confirmed
    this.opener = null;
  }

  build() {
    const dialog = el('dialog', 'amend-dialog');
    dialog.id = 'amend-delete-dialog';
    dialog.setAttribute('aria-labelledby', 'amend-delete-title');
    dialog.setAttribute('aria-describedby', 'amend-delete-text');
    this.title = el('h2', 'amend-dialog-title');
    this.title.id = 'amend-delete-title';
    this.text = el('p', 'amend-dialog-text');
    this.text.id = 'amend-delete-text';
    const form = el('form', 'amend-dialog-actions');
    form.method = 'dialog';
    this.cancel = el('button', 'amend-dialog-cancel');
    this.cancel.value = 'cancel';
    this.confirm = el('button', 'amend-confirm');
    this.confirm.value = 'delete';
    this.confirm.id = 'amend-delete-confirm';
    form.append(this.cancel, this.confirm);
    dialog.append(this.title, this.text, form);
    // Acted on at the submit, not at `close`: a close event may come after the dialog opened again.
    form.addEventListener('submit', (event) => {
      if (event.submitter?.value !== 'delete' || !this.id) return;
      this.target = this.id;
      this.onConfirm(this.id);
    });
    dialog.addEventListener('close', () => {
      if (dialog.open) return;
      // Back to the Delete button, or to the message left in its place.
      const back = this.opener?.isConnected ? this.opener
        : document.querySelector(`#messages .message[data-id="${CSS.escape(String(this.target ?? ''))}"]`);
      back?.focus();
    });
    document.body.append(dialog);
    this.dialog = dialog;
  }

  /** Ask before deleting message `id`; `opener` gets focus back. */
  open(id, opener) {
    if (!this.dialog) this.build();
    this.id = id;
    this.target = null;
    this.opener = opener;
    this.title.textContent = t('amendDeleteTitle');
    this.text.textContent = t('amendDeleteText');
    this.cancel.textContent = t('amendCancel');
    this.confirm.textContent = t('amendDeleteConfirm');
    this.dialog.returnValue = '';
    this.dialog.showModal();
    this.cancel.focus(); // the safe choice first
  }
}
