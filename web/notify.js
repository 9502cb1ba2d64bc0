// Telling the reader a message came while they were not looking: a desktop
// notification (asked for only once the reader ticks the box) and a short
// sound, for mentions always and, in rooms set to "All", for every message
// that arrives while the tab is hidden. What to notify of is kept per room;
// the desktop and sound switches per browser (localStorage).
import { t } from './i18n.js';
import { el } from './render.js';

const KEY = 'honyaku.notify';
const MODES = ['mentions', 'all'];
const BEEP_HZ = 880;
const BEEP_S = 0.15;

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? '{}');
    return saved && typeof saved === 'object' ? saved : {};
  } catch {
    return {};
  }
}

function store(prefs) {
  try { localStorage.setItem(KEY, JSON.stringify(prefs)); } catch { /* storage disabled */ }
}

function supported() {
  return typeof window.Notification === 'function';
}

export class Notifier {
  /**
   * @param {object} parts
   * @param {HTMLElement} parts.before  the settings control to put these switches before
   * @param {() => string} parts.room   the current room
   */
  constructor({ before, room }) {
    this.room = room;
    this.prefs = { desktop: false, sound: false, rooms: {}, ...load() };
    if (!this.prefs.rooms || typeof this.prefs.rooms !== 'object') this.prefs.rooms = {};
    this.audio = null;
    this.build(before);
  }

  build(before) {
    const box = el('div', 'notify-settings');
    box.id = 'notify-settings';
    box.setAttribute('role', 'group');
    box.setAttribute('aria-labelledby', 'notify-legend');
    const legend = el('span', 'notify-legend', t('notifyLegend'));
    legend.id = 'notify-legend';
    legend.dataset.i18n = 'notifyLegend';
    this.mode = el('select');
    this.mode.id = 'notify-mode';
    this.mode.setAttribute('aria-label', t('notifyModeLabel'));
    this.mode.dataset.i18nAriaLabel = 'notifyModeLabel';
    for (const mode of MODES) {
      const option = el('option', '', t(`notify_${mode}`));
      option.value = mode;
      option.dataset.i18n = `notify_${mode}`;
      this.mode.append(option);
    }
    this.desktop = this.checkbox('notify-desktop', 'notifyDesktop');
    this.sound = this.checkbox('notify-sound', 'notifySound');
    this.hint = el('span', 'field-hint notify-hint');
    this.hint.id = 'notify-hint';
    this.hint.setAttribute('aria-live', 'polite');
    box.append(legend, this.mode, this.desktop.label, this.sound.label, this.hint);
    before.before(box);

    this.mode.addEventListener('change', () => {
      this.prefs.rooms[this.room()] = this.mode.value;
      store(this.prefs);
    });
    this.desktop.input.addEventListener('change', () => this.onDesktop());
    this.sound.input.addEventListener('change', () => {
      this.prefs.sound = this.sound.input.checked;
      store(this.prefs);
      if (this.prefs.sound) this.unlockAudio(); // a click lets the page make sound later
    });
    this.show();
  }

  checkbox(id, key) {
    const input = el('input');
    input.type = 'checkbox';
    input.id = id;
    const text = el('span', '', t(key));
    text.dataset.i18n = key;
    const label = el('label', 'check');
    label.append(input, ' ', text);
    return { input, label };
  }

  /** Ask for permission only now, because the reader asked for notifications. */
  async onDesktop() {
    const wanted = this.desktop.input.checked;
    this.hint.textContent = '';
    if (wanted && !supported()) {
      this.desktop.input.checked = false;
      this.hint.textContent = t('notifyUnsupported');
      return;
    }
    if (wanted && Notification.permission !== 'granted') {
      let answer = 'denied';
      try { answer = await Notification.requestPermission(); } catch { /* treated as denied */ }
      if (answer !== 'granted') {
        this.desktop.input.checked = false;
        this.hint.textContent = t('notifyDenied');
        return;
      }
    }
    this.prefs.desktop = wanted;
    store(this.prefs);
  }

  /** "mentions" (the default) or "all", for the current room. */
  modeFor(room = this.room()) {
    const mode = this.prefs.rooms[room];
    return MODES.includes(mode) ? mode : 'mentions';
  }

  /** The switches show the current room's setting (after a join or room switch). */
  show() {
    this.mode.value = this.modeFor();
    this.desktop.input.checked = this.prefs.desktop && supported() && Notification.permission === 'granted';
    this.sound.input.checked = Boolean(this.prefs.sound);
  }

  /**
   * A live message from someone else arrived. `mention`: it names the reader.
   * @param {{sender: string, text: string, mention: boolean}} message
   */
  received({ sender, text, mention }) {
    const hidden = document.hidden;
    if (!mention && !(hidden && this.modeFor() === 'all')) return;
    if (this.prefs.sound) this.beep();
    if (hidden && this.prefs.desktop && supported() && Notification.permission === 'granted') {
      this.popup(sender, text);
    }
  }

  popup(sender, text) {
    try {
      const note = new Notification(t('notifyTitle', { name: sender, room: this.room() }), {
        body: text, tag: `honyaku-${this.room()}`, lang: document.documentElement.lang,
        dir: document.documentElement.dir === 'rtl' ? 'rtl' : 'auto',
      });
      note.onclick = () => {
        window.focus();
        note.close();
      };
    } catch { /* some browsers allow notifications only from a service worker */ }
  }

  unlockAudio() {
    const Context = window.AudioContext ?? window.webkitAudioContext;
    if (!Context) return null;
    try {
      this.audio ??= new Context();
      if (this.audio.state === 'suspended') this.audio.resume().catch(() => {});
    } catch {
      this.audio = null;
    }
    return this.audio;
  }

  /** A short soft tone, made on the spot (no sound file to fetch). */
  beep() {
    const audio = this.unlockAudio();
    if (!audio) return;
    try {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = BEEP_HZ;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + BEEP_S);
      tone.connect(gain).connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + BEEP_S);
    } catch { /* no sound this time */ }
  }
}
