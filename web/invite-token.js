// "Invite" in a room that needs a token (the server runs with a token
// secret; this tab joined with a token): the page cannot mint one, and must
// never hand out its own. It shows whoever holds the secret the exact
// command for this room, with a lifetime to pick, and turns the token that
// command prints into the link to send: `?room=…&token=…`, which the
// invited page reads once and takes out of its address bar.
// The token's payload (`v1|room|expiry[|admin]`, before the dot) is
// readable, so a token for another room, an expired one or an admin one is
// refused here; its signature only the server can check.
import { currentLocale, t } from './i18n.js';
import { el } from './render.js';

/** `--ttl` values `honyaku token` takes, with how they read: [flag, amount, unit]. */
const LIFETIMES = [['1h', 1, 'hour'], ['24h', 1, 'day'], ['168h', 7, 'day'], ['720h', 30, 'day']];
const DEFAULT_LIFETIME = '24h';

/** `{room, expires (ms), admin}` from a token's payload, or null when it is not one. */
export function readToken(token) {
  const match = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{16,})$/.exec(String(token ?? '').trim());
  if (!match) return null;
  let payload;
  try {
    payload = atob(match[1].replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
  const parts = payload.split('|');
  if (parts[0] !== 'v1' || parts.length < 3 || parts.length > 4 || !/^\d+$/.test(parts[2])) return null;
  if (parts.length === 4 && parts[3] !== 'admin') return null;
  return { room: parts[1], expires: Number(parts[2]) * 1000, admin: parts[3] === 'admin' };
}

let copies = 0;

export class InviteToken {
  /**
   * @param {object} parts
   * @param {() => string} parts.room
   * @param {(token: string|null) => void} parts.onToken  a token that opens this room, or null
   */
  constructor({ room, onToken }) {
    Object.assign(this, { room, onToken });
    this.node = el('div', 'invite-token');
    this.node.id = 'invite-token';
    this.help = el('p', 'invite-help');
    this.help.id = 'invite-token-help';

    this.ttlLabel = el('label');
    this.ttlLabel.htmlFor = 'invite-token-ttl';
    this.ttl = el('select');
    this.ttl.id = 'invite-token-ttl';
    this.command = el('code', 'invite-command');
    this.command.id = 'invite-token-command';
    this.command.dir = 'ltr';
    this.copy = el('button', 'invite-copy');
    this.copy.type = 'button';
    this.copy.id = 'invite-token-copy';
    this.copyStatus = el('span', 'copy-status');
    this.copyStatus.setAttribute('aria-live', 'polite');
    const ttlRow = el('div', 'invite-row');
    ttlRow.append(this.ttlLabel, this.ttl);
    const commandRow = el('div', 'invite-row');
    commandRow.append(this.command, this.copy, this.copyStatus);

    this.pasteLabel = el('label');
    this.pasteLabel.htmlFor = 'invite-token-paste';
    this.paste = el('input', 'invite-paste');
    this.paste.id = 'invite-token-paste';
    this.paste.type = 'text';
    this.paste.autocomplete = 'off';
    this.paste.spellcheck = false;
    this.paste.dir = 'ltr';
    this.paste.setAttribute('aria-describedby', 'invite-token-status');
    this.status = el('p', 'hint invite-token-status');
    this.status.id = 'invite-token-status';
    this.status.setAttribute('aria-live', 'polite');

    this.node.append(this.help, ttlRow, commandRow, this.pasteLabel, this.paste, this.status);
    this.ttl.addEventListener('change', () => this.showCommand());
    this.copy.addEventListener('click', () => this.copyCommand());
    this.paste.addEventListener('input', () => this.check());
    this.relabel();
  }

  /** A fresh dialog: no token pasted yet. */
  reset() {
    this.paste.value = '';
    this.copyStatus.textContent = '';
    this.check();
  }

  showCommand() {
    this.command.textContent = `honyaku token --room ${this.room()} --ttl ${this.ttl.value}`;
  }

  async copyCommand() {
    const mine = ++copies;
    try {
      await navigator.clipboard.writeText(this.command.textContent);
      this.copyStatus.textContent = t('copied');
    } catch {
      getSelection()?.selectAllChildren(this.command);
      this.copyStatus.textContent = t('pressToCopy');
    }
    setTimeout(() => { if (mine === copies) this.copyStatus.textContent = ''; }, 4000);
  }

  /** What the pasted text is; passed on when it opens this room now, as a plain member. */
  check() {
    const text = this.paste.value.trim();
    const room = this.room();
    let problem = '';
    let good = null;
    if (text) {
      const token = readToken(text);
      if (!token) problem = t('inviteTokenBad');
      else if (token.room !== room) problem = t('inviteTokenOtherRoom', { room: token.room });
      else if (token.expires <= Date.now()) problem = t('inviteTokenExpired');
      else if (token.admin) problem = t('inviteTokenAdmin');
      else {
        const until = new Date(token.expires).toLocaleString(currentLocale(), { dateStyle: 'medium', timeStyle: 'short' });
        this.status.textContent = t('inviteTokenValid', { room, date: until });
        good = text;
      }
    }
    if (!good) this.status.textContent = problem;
    this.status.dataset.problem = String(Boolean(problem));
    this.paste.setAttribute('aria-invalid', String(Boolean(problem)));
    this.onToken(good);
  }

  relabel() {
    const chosen = this.ttl.value || DEFAULT_LIFETIME;
    this.ttl.replaceChildren(...LIFETIMES.map(([flag, amount, unit]) => {
      const option = el('option', '', new Intl.NumberFormat(currentLocale(), {
        style: 'unit', unit, unitDisplay: 'long',
      }).format(amount));
      option.value = flag;
      return option;
    }));
    this.ttl.value = chosen;
    this.help.textContent = t('inviteTokenHelp');
    this.ttlLabel.textContent = t('inviteTokenTtl');
    this.copy.textContent = t('inviteTokenCopy');
    this.pasteLabel.textContent = t('inviteTokenPaste');
    this.showCommand();
    if (this.paste.value) this.check();
  }
}
