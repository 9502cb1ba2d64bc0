// What the chat view says about translation here: the server's own word
// (/status.json's `notice`), the test translator's, and the sender's note
// when nobody of another language can read them translated. What
// translates is asked again on each connect: on a server with several
// engines it changes as engines come and go.
import { loadCapability } from './contract.js';
import { t } from './i18n.js';
import { setCapability } from './languages.js';
import { showEngineBanner } from './render.js';
import { SenderNote } from './untranslated.js';

export class Notes {
  /**
   * @param {object} parts
   * @param {object} parts.ui                  the page's elements
   * @param {() => {room: string, lang: string}} parts.where  my room and language
   * @param {() => string[]} parts.othersLangs the other members' languages
   * @param {() => void} parts.onCapability    what translates changed: redraw the pickers
   */
  constructor({ ui, where, othersLangs, onCapability }) {
    Object.assign(this, { ui, where, othersLangs, onCapability });
    this.engineNote = '';
    this.dismissed = false;
    this.sender = new SenderNote(ui);
    ui.engineBannerClose.addEventListener('click', () => {
      this.dismissed = true;
      showEngineBanner(ui.engineBanner, '');
      ui.composer.focus();
    });
  }

  /** Ask the server again what translates, and show its notice. */
  async refresh() {
    const capability = await loadCapability({ fresh: true });
    setCapability(capability);
    this.onCapability();
    this.update();
    const notice = typeof capability.notice === 'string' ? capability.notice : '';
    if (notice && !this.dismissed) {
      this.engineNote = notice;
      showEngineBanner(this.ui.engineBanner, notice);
    } else if (!notice && this.engineNote && this.engineNote !== 'pseudo') {
      // The server no longer says it (an engine came back): the banner goes.
      this.engineNote = '';
      showEngineBanner(this.ui.engineBanner, '');
    }
  }

  /** Explain an engine whose output could puzzle a reader (the test translator). */
  engine(engine) {
    if (engine !== 'pseudo' || this.engineNote === 'pseudo' || this.dismissed) return;
    this.engineNote = 'pseudo';
    showEngineBanner(this.ui.engineBanner, t('pseudoNote'));
  }

  /** The members or my language changed. */
  update() {
    if (this.ui.chatView.hidden) return;
    this.sender.update(this.where(), this.othersLangs());
  }

  relabel() {
    if (!this.ui.chatView.hidden) this.sender.relabel(this.where(), this.othersLangs());
  }
}
