// The chat's extras beside the conversation (issue 25): notifications,
// rooms you came from, search, export, invite, the room glossary, replies
// and reactions.
// app.js calls these few hooks; each part lives in its own module.
import { Exporter } from './export.js';
import { Glossary } from './glossary.js';
import { Invite } from './invite.js';
import { Notifier } from './notify.js';
import { RecentRooms } from './recent.js';
import { Search } from './search.js';
import { Social } from './social.js';
import { t } from './i18n.js';
import { tabToken } from './prefs.js';

/**
 * @param {object} parts
 * @param {object} parts.ui  the page's elements
 * @param {() => {name: string, room: string, lang: string}} parts.current  who and where I am
 * @param {object} parts.join  the join form
 * @param {(entry: {name: string, room: string, lang: string}) => void} parts.enterChat
 * @param {(frame: object) => boolean} parts.send
 * @param {object} parts.limits  the contract's limits
 */
export function wireTools({ ui, current, join, enterChat, send, limits }) {
  // One click on a room this browser came from: the form checks it as if typed.
  const rejoin = ({ name, room, lang }) => {
    join.fill({ name, room, lang });
    if (join.validate()) enterChat({ name: name.trim(), room, lang: ui.lang.value });
  };
  const notifier = new Notifier({ before: ui.leaveButton, room: () => current().room });
  const recent = new RecentRooms({ after: ui.joinForm, onRejoin: rejoin });
  const exporter = new Exporter({
    before: ui.leaveButton, send, current, historyBusy: () => current().historyBusy,
    pageSize: limits.historyMaxLimit ?? 100,
  });
  const invite = new Invite({ after: ui.copyLink, room: () => current().room, token: tabToken });
  const glossary = new Glossary({ before: ui.leaveButton, send, current });
  const social = new Social({ ui, send, current });
  const search = new Search({
    list: ui.messages, toolbar: ui.settingsToggle, frame: ui.messages.closest('.messages-frame'),
  });
  return {
    /** A live message was put in the list; `fromOthers` when not mine. */
    message(msg, item, fromOthers) {
      if (!fromOthers) return;
      notifier.received({
        sender: msg.from?.name ?? t('someone'), text: String(msg.text ?? ''),
        mention: item.classList.contains('mention'),
      });
    },
    /** A frame from the server: true when a part took it (an export's `history` pages, a `reaction`). */
    take(frame) {
      return exporter.take(frame) || glossary.take(frame) || social.take(frame);
    },
    /** A message item just drawn (live or history): its quote, reactions and actions. */
    decorate(item, msg) {
      return social.decorate(item, msg);
    },
    /** My message about to go (`{frame, item}`): a reply carries what it replies to. */
    sending(pair) {
      return social.sending(pair);
    },
    /** The conversation starts over (reconnect, room or language switch): an export in flight stops. */
    reset() {
      exporter.fail();
      social.reset();
    },
    /** The server confirmed a room (join, reconnect or switch). */
    joined() {
      recent.remember(current());
      notifier.show();
    },
    /** The chat header shows another room or language. */
    shown() {
      notifier.show();
    },
    /** The join view is shown again, or the interface language changed. */
    relabel() {
      recent.render();
      search.relabel();
      invite.relabel();
      social.relabel();
    },
  };
}
