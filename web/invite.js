// "Invite": the room's link and, when `honyaku serve` hosts the page, its
// QR code (GET qr.svg, drawn by the server with a QR library) for a phone on
// the same network to scan. A page hosted for a deployment (config.json
// names its endpoint) has no such route: it shows just the link.
// In a room that needs a token, invite-token.js shows how to mint one and
// puts it in the link; such a link gets no QR code (the token would travel
// to the server in an image's address, and sit in caches and proxy logs).
import { loadConfig } from './contract.js';
import { t } from './i18n.js';
import { InviteToken } from './invite-token.js';
import { shareLink } from './prefs.js';
import { el } from './render.js';

export class Invite {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.after  the Invite button goes after this element
   * @param {() => string} parts.room
   * @param {() => string|null} parts.token  this tab's own token (never shown): set when the room needs one
   */
  constructor({ after, room, token }) {
    this.room = room;
    this.token = token;
    this.tokens = null; // made on first use in a room that needs a token
    this.button = el('button', 'invite-button', t('invite'));
    this.button.type = 'button';
    this.button.id = 'invite-button';
    this.button.dataset.i18n = 'invite';
    this.button.setAttribute('aria-haspopup', 'dialog');
    after.after(this.button);

    this.dialog = el('dialog', 'invite-dialog');
    this.dialog.id = 'invite-dialog';
    this.dialog.setAttribute('aria-labelledby', 'invite-title');
    this.title = el('h2', 'invite-title');
    this.title.id = 'invite-title';
    this.help = el('p', 'hint invite-help');
    this.help.id = 'invite-help';
    this.link = el('input', 'invite-link');
    this.link.id = 'invite-link';
    this.link.readOnly = true;
    this.link.dir = 'ltr';
    this.link.setAttribute('aria-describedby', 'invite-help');
    // Made on first use: a page without the route never holds an image.
    this.qr = null;
    this.close = el('button', 'invite-close');
    this.close.type = 'submit'; // a `method="dialog"` form: closes it
    this.close.id = 'invite-close';
    const form = el('form', 'invite-actions');
    form.method = 'dialog';
    form.append(this.close);
    this.form = form;
    this.dialog.append(this.title, this.help, this.link, form);
    document.body.append(this.dialog);

    this.button.addEventListener('click', () => this.open());
    this.link.addEventListener('focus', () => this.link.select());
    this.dialog.addEventListener('close', () => this.button.focus());
    this.hasQr = loadConfig().then((config) => !config.ws).catch(() => false);
  }

  async open() {
    const link = shareLink(this.room());
    const needsToken = Boolean(this.token());
    this.relabel();
    this.link.value = link;
    this.showQr(false);
    if (needsToken) this.tokenPart().reset();
    if (this.tokens) this.tokens.node.hidden = !needsToken;
    this.dialog.showModal();
    (needsToken ? this.tokens.paste : this.link).focus();
    if (!needsToken && await this.hasQr) {
      this.makeQr().src = `qr.svg?${new URLSearchParams({ text: link })}`;
      this.showQr(true);
    }
  }

  tokenPart() {
    if (!this.tokens) {
      this.tokens = new InviteToken({
        room: this.room,
        onToken: (token) => {
          const link = new URL(shareLink(this.room()));
          if (token) link.searchParams.set('token', token);
          this.link.value = link.href;
        },
      });
      this.help.before(this.tokens.node);
    }
    return this.tokens;
  }

  makeQr() {
    if (!this.qr) {
      this.qr = el('img', 'invite-qr');
      this.qr.id = 'invite-qr';
      this.qr.width = 240;
      this.qr.height = 240;
      this.qr.alt = t('inviteQrAlt', { room: this.room() });
      this.qr.addEventListener('error', () => this.showQr(false));
      this.form.before(this.qr);
    }
    return this.qr;
  }

  showQr(shown) {
    if (this.qr) this.qr.hidden = !shown;
    this.help.textContent = t(shown ? 'inviteHelpQr' : 'inviteHelp');
  }

  relabel() {
    this.title.textContent = t('inviteTitle', { room: this.room() });
    this.help.textContent = t(!this.qr || this.qr.hidden ? 'inviteHelp' : 'inviteHelpQr');
    if (this.qr) this.qr.alt = t('inviteQrAlt', { room: this.room() });
    this.close.textContent = t('close');
    this.link.setAttribute('aria-label', t('inviteLink'));
    this.tokens?.relabel();
  }
}
