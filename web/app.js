// honyaku chat page: start-up, the chat view, and the wire protocol glue.
// Languages and limits come from contract.json; the parts live beside it
// (join form, timeline, members, typing, composer, edit/delete/correct).
import { Amend } from './amend.js';
import { Composer } from './composer.js';
import { Connection, resolveWsBase } from './connection.js';
import { loadCapability, loadContract } from './contract.js';
import { applyStrings, configure as configureI18n, setLocale, t } from './i18n.js';
import { JoinForm, fieldError, languageNote } from './join.js';
import {
  configureLanguages, fillLanguageSelect, guessLanguage, isTranslated, languageLabel,
} from './languages.js';
import { Members } from './members.js';
import { Notes } from './notes.js';
import { Pending } from './pending.js';
import { PresenceLines } from './presence.js';
import {
  clientSecret, configurePrefs, langProblem, loadPrefs, pageParams, roomProblem, savePrefs,
  shareLink, takeToken, updatePageUrl,
} from './prefs.js';
import {
  el, errorElement, errorText, messageElement, presenceElement, renderStatus, systemElement, validTag,
} from './render.js';
import { mentions } from './text.js';
import { Timeline } from './timeline.js';
import { wireTools } from './tools.js';
import { Typing } from './typing.js';
import { markFirstUntranslated } from './untranslated.js';
import { markSharedNames, showConnection, showSettings, ui, wireView } from './view.js';

// The token leaves the address bar as soon as it is read.
const params = { ...pageParams(), token: takeToken() };
const state = {
  name: '', room: '', lang: 'en',
  tag: null,             // my tag in this room (from `joined`), null before or without `client`
  next: null,            // cursor for "Load earlier", null when nothing older
  historyBusy: false,
  historyFresh: true,    // the next history reply is the first page after a reset
  focusAfterJoin: false,
  myConnections: new Set(),
  lastSeenId: null,      // newest message id shown before the last reset
};
let contract, join, composer;
let connection = null;
const me = () => ({ name: state.name, lang: state.lang, tag: state.tag });
const send = (frame) => connection?.send(frame) ?? false;
const timeline = new Timeline({
  list: ui.messages, jump: ui.jumpLatest, title: () => `${state.room} — honyaku`,
  onChange: () => { markSharedNames(); markFirstUntranslated(ui.messages); },
});
let notes;
let tools = null;
const amend = new Amend({
  timeline, send, render: renderMessage, room: () => state.room, maxBytes: () => contract.limits.maxTextBytes,
});
const members = new Members({
  list: ui.members, count: ui.memberCount, more: ui.membersMore, send, me,
  onChange: () => { markSharedNames(); notes?.update(); },
});
let typing;
const presenceLines = new PresenceLines({ members, show: (frame) => timeline.add(presenceElement(frame)) });
const pending = new Pending({
  enqueue: (frame) => connection.enqueue(frame),
  onRetry: () => {
    composer.showError('');
    composer.focus();
  },
});

// ---------- start ----------

async function start() {
  try {
    contract = await loadContract();
  } catch (error) {
    document.documentElement.classList.remove('loading');
    ui.joinError.textContent = `The page could not start: ${error.message}.`;
    return;
  }
  configureI18n({ rtl: contract.rtl });
  configurePrefs(contract.limits);
  configureLanguages(contract.languages, await loadCapability());
  notes = new Notes({
    ui,
    where: () => ({ room: state.room, lang: state.lang }),
    othersLangs: () => members.othersLangs(),
    onCapability: () => {
      join.refill();
      fillLanguageSelect(ui.langSwitch, state.lang);
      showLanguageNote();
    },
  });
  typing = new Typing({
    node: ui.typing, send, intervalMs: contract.limits.typingIntervalMs ?? 3000, myTag: () => state.tag,
  });
  composer = new Composer({
    input: ui.composer, counter: ui.composerCounter, error: ui.composerError,
    maxBytes: contract.limits.maxTextBytes, onSend: sendMessage, onInput: (text) => typing.onInput(text),
  });
  join = new JoinForm(ui, { onJoin: enterChat, onLanguage: (lang) => useLocale(lang) });
  tools = wireTools({ ui, join, current: () => ({ ...state }), enterChat, send, limits: contract.limits });

  const prefs = loadPrefs();
  const initial = {
    name: params.name ?? prefs.name ?? '',
    room: params.room ?? prefs.room ?? 'lobby',
    lang: params.lang ?? prefs.lang ?? guessLanguage(),
  };
  await useLocale(initial.lang);
  join.fill(initial);
  document.documentElement.classList.remove('loading');

  const direct = params.room !== null && params.lang !== null && params.name !== null;
  // Back into the room after a reload, unless the link names another room.
  const resume = prefs.joined === true && (params.room === null || params.room === prefs.room);
  if (direct || resume) {
    if (join.validate()) enterChat({ name: initial.name.trim(), room: initial.room, lang: ui.lang.value });
  } else {
    join.focus();
  }
}

/** The interface in the language `lang` reads in; everything already drawn follows. */
async function useLocale(lang) {
  await setLocale(lang);
  ui.roomHint.textContent = t('roomHint', { max: contract.limits.maxRoomChars });
  join?.refill();
  fillLanguageSelect(ui.langSwitch, ui.chatView.hidden ? lang : state.lang);
  showLanguageNote();
  notes.relabel();
  renderStatus(ui.status, ui.status.dataset.state);
  members.render();
  timeline.relabel();
  typing?.render();
  composer?.update();
  tools?.relabel();
  if (!ui.chatView.hidden) showCurrent();
}

function enterChat({ name, room, lang }) {
  Object.assign(state, { name, room, lang, tag: null });
  savePrefs({ ...state, joined: true });
  updatePageUrl(state);
  ui.joinView.hidden = true;
  ui.chatView.hidden = false;
  useLocale(lang);
  showCurrent();
  composer.focus();
  // Created at once so messages typed before the endpoint is known are queued.
  connection = new Connection({
    base: null,
    params: () => ({
      room: state.room, lang: state.lang, name: state.name, token: params.token, client: clientSecret(),
    }),
    onState,
    onOpen,
    onFrame,
    onSent: (frame) => pending.mark(frame.clientMsgId, 'sending'),
  });
  resolveWsBase().then((base) => {
    connection.base = base;
    connection.start();
  });
}

function leaveRoom() {
  connection?.stop();
  connection = null;
  savePrefs({ ...state, joined: false });
  const url = new URL(location.href);
  ['lang', 'name'].forEach((key) => url.searchParams.delete(key));
  history.replaceState(null, '', url);
  pending.clear();
  timeline.reset();
  members.clear();
  typing.clear();
  ui.chatView.hidden = true;
  ui.joinView.hidden = false;
  document.title = 'honyaku';
  join.fill(state);
  tools.relabel();
  join.focus();
}

// ---------- connection events ----------

function onState(connState, detail = {}) {
  showConnection(connState, detail);
  if (connState !== 'online') typing?.clear();
}

function onOpen() {
  notes.refresh();
  resetConversation();
  // `join` with nothing new: the reply tells my tag, the room's size and first members.
  send({ action: 'join' });
  requestHistory();
}

function onFrame(frame) {
  if (tools.take(frame) || amend.take(frame)) return;
  const here = frame.room === state.room;
  switch (frame.type) {
    case 'message': if (here) onMessage(frame); break;
    case 'presence': if (here) onPresence(frame); break;
    case 'typing': if (here) typing.received(frame); break;
    case 'joined': onJoined(frame); break;
    case 'members': if (here) members.fromMembers(frame); break;
    case 'history': onHistory(frame); break;
    case 'error': onError(frame); break;
    default: break; // pong and anything newer
  }
}

function isOwn(msg) {
  if (state.tag && validTag(msg.from?.tag)) return msg.from.tag === state.tag;
  return msg.clientMsgId !== undefined || state.myConnections.has(msg.from?.connectionId);
}

function renderMessage(msg) {
  const own = isOwn(msg);
  const mention = !own && (mentions(msg.text, state.name) || mentions(msg.original, state.name));
  return tools.decorate(amend.decorate(messageElement(msg, { own, mention }), msg), msg);
}

function onMessage(msg) {
  notes.engine(msg.engine);
  typing.messageFrom(msg.from);
  const echo = pending.confirm(msg.clientMsgId);
  if (echo && msg.from?.connectionId) state.myConnections.add(msg.from.connectionId);
  if (timeline.find(msg.id)) return;
  const item = renderMessage(msg);
  const fromOthers = !echo && !isOwn(msg);
  timeline.add(item, { force: echo, fromOthers });
  tools.message(msg, item, fromOthers);
}

function onPresence(frame) {
  if (frame.event === 'leave') typing.messageFrom(frame);
  presenceLines.handle(frame);
}

function onJoined(frame) {
  const roomChanged = frame.room !== state.room;
  const langChanged = frame.lang !== state.lang;
  if (frame.connectionId) state.myConnections.add(frame.connectionId);
  Object.assign(state, {
    room: frame.room, lang: frame.lang, name: frame.name ?? state.name, tag: validTag(frame.tag),
  });
  savePrefs({ ...state, joined: true });
  updatePageUrl(state);
  tools.joined();
  members.fromJoined(frame);
  if (roomChanged || langChanged) {
    presenceLines.clear();
    typing.clear();
    resetConversation({ roomChanged });
    timeline.add(roomChanged
      ? systemElement('youJoined', { room: state.room })
      : systemElement('nowReading', { lang: languageLabel(state.lang) }));
    requestHistory();
    if (langChanged) useLocale(state.lang);
  } else {
    markOwn(); // history may have come before my tag
  }
  showCurrent();
  if (state.focusAfterJoin) composer.focus();
  state.focusAfterJoin = false;
}

function onHistory(frame) {
  if (frame.room !== state.room || frame.lang !== state.lang) return; // stale reply
  state.historyBusy = false;
  state.next = frame.next ?? null;
  const messages = Array.isArray(frame.messages) ? frame.messages : [];
  if (state.historyFresh) settleUnconfirmed(messages);
  const items = [];
  for (const msg of messages) {
    notes.engine(msg.engine);
    if (!timeline.find(msg.id)) items.push(renderMessage(msg));
  }
  timeline.addHistory(items, { fresh: state.historyFresh });
  state.historyFresh = false;
  showLoadEarlier();
}

function onError(frame) {
  const text = errorText(frame);
  switch (frame.action) {
    case 'translate': {
      pending.refuse(frame.clientMsgId, text);
      composer.showError(text, String(frame.code ?? ''));
      return;
    }
    case 'join':
      state.focusAfterJoin = false;
      ui.langSwitch.value = state.lang;
      showSettings(true);
      fieldError(ui.roomSwitch, ui.roomSwitchError, text);
      ui.roomSwitch.focus();
      return;
    case 'members': members.failed(); return;
    case 'typing': return;
    case 'history':
      state.historyBusy = false;
      if (state.historyFresh) settleUnconfirmed(null);
      showLoadEarlier();
      break;
    default: break;
  }
  timeline.add(errorElement(frame));
}

// ---------- conversation ----------

/** Empty the list for a fresh history, keeping my messages not yet confirmed. */
function resetConversation({ roomChanged = false } = {}) {
  state.lastSeenId = timeline.newestId();
  tools.reset();
  timeline.reset(pending.keep({ roomChanged }));
  Object.assign(state, { next: null, historyBusy: false, historyFresh: true });
  showLoadEarlier();
}

/**
 * My messages in flight when the connection dropped: those in the first
 * history page after it (newer than anything I had seen, from me, same
 * text) arrived; the rest are "not sent".
 */
function settleUnconfirmed(messages) {
  pending.settle(messages, (msg, text) => {
    const mine = (state.lastSeenId === null || String(msg.id) > state.lastSeenId)
      && (msg.from?.tag && state.tag ? msg.from.tag === state.tag : msg.from?.name === state.name)
      && (msg.original ?? msg.text) === text;
    if (mine && msg.from?.connectionId) state.myConnections.add(msg.from.connectionId);
    return mine;
  });
}

/** Mark messages from my tag as mine (after my tag is known). */
function markOwn() {
  if (!state.tag) return;
  for (const item of ui.messages.querySelectorAll('.message[data-tag]')) {
    const own = item.dataset.tag === state.tag;
    item.classList.toggle('own', own);
    if (own) item.classList.remove('mention');
  }
  timeline.decorate();
}

function requestHistory(before) {
  if (state.historyBusy) return;
  const frame = { action: 'history', limit: contract.limits.historyDefaultLimit ?? 50 };
  if (before) frame.before = before;
  state.historyBusy = send(frame);
  showLoadEarlier();
}

function showLoadEarlier() {
  ui.loadEarlier.hidden = state.next === null;
  ui.loadEarlier.disabled = state.historyBusy;
}

function sendMessage() {
  const { text } = composer;
  composer.showError('');
  if (!text || !composer.check()) return;
  const { frame, item } = tools.sending(pending.add(text, state));
  timeline.clearDivider();
  timeline.add(item, { force: true });
  composer.clear();
  connection.enqueue(frame);
}

// ---------- switching room / language ----------

function switchTo({ room, lang }) {
  const roomError = roomProblem(room);
  fieldError(ui.roomSwitch, ui.roomSwitchError, roomError);
  if (roomError || langProblem(lang)) {
    ui.roomSwitch.focus(); // the typed room stays, beside its error
    return false;
  }
  if (room === state.room && lang === state.lang) return true;
  if (connection.isOpen) {
    send({ action: 'join', room, lang }); // the `joined` reply updates the page
    return true;
  }
  // Offline: the next connect carries the new room/lang; history reloads on open.
  const roomChanged = room !== state.room;
  const langChanged = lang !== state.lang;
  Object.assign(state, { room, lang, tag: roomChanged ? null : state.tag });
  savePrefs({ ...state, joined: true });
  updatePageUrl(state);
  if (langChanged) useLocale(lang);
  showCurrent();
  resetConversation({ roomChanged });
  members.clear();
  connection.reconnectNow();
  if (state.focusAfterJoin) composer.focus();
  state.focusAfterJoin = false;
  return true;
}

/** Header, switch controls and share link reflect the current state. */
function showCurrent() {
  ui.roomName.textContent = state.room;
  ui.meName.replaceChildren(el('bdi', '', state.name), ' · ', el('bdi', '', languageLabel(state.lang)));
  fillLanguageSelect(ui.langSwitch, state.lang);
  showLanguageNote();
  // A room being typed (or refused) stays: a `joined` arriving meanwhile must not overwrite it.
  if (!ui.roomSwitchError.textContent && document.activeElement !== ui.roomSwitch) ui.roomSwitch.value = state.room;
  ui.shareLink.value = shareLink(state.room);
  timeline.refreshTitle();
  tools?.shown();
}

function showLanguageNote() {
  const code = ui.langSwitch.value;
  const reach = isTranslated(code);
  ui.langSwitchHint.textContent = reach === false || reach === 'into' ? languageNote(code) : '';
}

// ---------- wiring ----------

ui.composerForm.addEventListener('submit', (event) => {
  event.preventDefault();
  sendMessage();
});
ui.loadEarlier.addEventListener('click', () => {
  if (state.next) requestHistory(state.next);
});
ui.langSwitch.addEventListener('change', () => switchTo({ room: state.room, lang: ui.langSwitch.value }));
ui.roomSwitchForm.addEventListener('submit', (event) => {
  event.preventDefault();
  state.focusAfterJoin = true;
  if (switchTo({ room: ui.roomSwitch.value.trim(), lang: state.lang })) showSettings(false);
});
ui.roomSwitch.addEventListener('input', () => {
  if (!roomProblem(ui.roomSwitch.value.trim())) fieldError(ui.roomSwitch, ui.roomSwitchError, '');
});
ui.leaveButton.addEventListener('click', leaveRoom);
ui.reconnectNow.addEventListener('click', () => connection?.reconnectNow());
window.addEventListener('online', () => {
  if (connection && !connection.isOpen) connection.reconnectNow();
});
document.addEventListener('visibilitychange', () => { if (!document.hidden) connection?.onVisible(); });

wireView();
applyStrings(document);
start();
