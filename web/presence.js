// Which `presence` events become a line in the conversation. A quick
// reconnect by the same person (same tag: a reload, a network blip) leaves
// no "left" and "joined" pair behind, and neither does a second tab; nor
// does a join the server marks `returning` (the same person back after a
// server restart).
import { validTag } from './render.js';

/** A member who leaves and is back within this long left no trace. */
const QUICK_RETURN_MS = 4000;

export class PresenceLines {
  /**
   * @param {object} parts
   * @param {import('./members.js').Members} parts.members  the list, updated here
   * @param {(frame: object) => void} parts.show            add the line for `frame`
   */
  constructor({ members, show }) {
    Object.assign(this, { members, show });
    this.held = new Map(); // tag → timer of a "left" line not shown yet
  }

  handle(frame) {
    const tag = validTag(frame.tag);
    const wasHere = this.members.hasTag(tag);
    this.members.presence(frame);
    if (!tag) {
      this.show(frame);
    } else if (frame.event === 'leave') {
      if (this.members.hasTag(tag)) return; // still here on another connection
      clearTimeout(this.held.get(tag));
      this.held.set(tag, setTimeout(() => {
        this.held.delete(tag);
        this.show(frame);
      }, QUICK_RETURN_MS));
    } else if (frame.event === 'join') {
      if (this.held.has(tag)) { // back quickly: neither line
        clearTimeout(this.held.get(tag));
        this.held.delete(tag);
      } else if (!wasHere && !frame.returning) { // `returning`: back within the server's grace (a restart)
        this.show(frame);
      }
    } else {
      this.show(frame);
    }
  }

  /** Another room: lines held for the old one are dropped. */
  clear() {
    this.held.forEach((timer) => clearTimeout(timer));
    this.held.clear();
  }
}
