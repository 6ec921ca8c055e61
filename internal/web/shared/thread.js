// Thread shows a conversation's messages in seq order. A message the user
// sends appears at once as pending; when the stored message comes back (in
// the POST response or as a WebSocket event, whichever is first) it takes
// the pending one's place, and later copies are ignored.
//
// A long conversation is read from its end, a page at a time (MESSAGE_PAGE
// messages): the owner shows the last page and hands the thread the way
// to the ones before it (earlier); a row at the top then loads the page
// before when the reader presses it or scrolls up to it.
//
// The list is not a live region: opening a conversation, a page of
// earlier messages or a redraw in another language would have a screen
// reader read the whole thread again. A message that just arrived is
// announced alone instead, through a live region of its own (live).
// MESSAGE_PAGE is how many messages a page of a long conversation holds.
export const MESSAGE_PAGE = 200;

export class Thread {
  #list;
  #scroller;
  #render;
  #shown = new Map(); // message id → element
  #drawn = new WeakMap(); // element → the message it shows
  #pending = new Map(); // client_msg_id → { el, draft }
  #t;
  #onError;
  #head = null; // the row that loads earlier messages, while there are some
  #before = 0; // the before= of the page above the shown ones (0: none)
  #load = null; // before → Promise of { messages, earlier }
  #loading = false;
  #generation = 0; // changes at clear: older pages' answers are dropped
  #live; // the polite live region arrived messages are announced in, or null

  // render(message, status, error) returns the element for a message;
  // status is "pending", "retrying" or "failed" for unconfirmed drafts.
  // t is the page's translation (shared/locale.js: the earlier row says
  // thread.earlier); onError(err) hears of a page of earlier messages that
  // failed to load; live is the aria-live=polite element add announces
  // arrived messages in.
  constructor(list, render, scroller = list, { t = (key) => key, onError = () => {}, live = null } = {}) {
    this.#list = list;
    this.#render = render;
    this.#scroller = scroller;
    this.#t = t;
    this.#onError = onError;
    this.#live = live;
    this.lastSeq = 0;
    scroller.addEventListener('scroll', () => {
      if (this.#head && !this.#loading && this.#head.getBoundingClientRect().bottom >= this.#scroller.getBoundingClientRect().top) this.#loadEarlier();
    }, { passive: true });
  }

  clear() {
    this.#list.replaceChildren();
    this.#live?.replaceChildren();
    this.#shown.clear();
    this.#pending.clear();
    this.lastSeq = 0;
    this.#head = null;
    this.#before = 0;
    this.#load = null;
    this.#loading = false;
    this.#generation++;
  }

  // earlier says where the messages before those shown are: before, the
  // before= of their page (0: the first message is shown), and load(before),
  // which resolves to { messages, earlier } — the page of messages before
  // that seq, oldest first, and the before= of the page above it.
  earlier(before, load) {
    this.#before = before;
    this.#load = load;
    this.#showHead();
  }

  // add shows a stored message unless it is already shown; a shown one
  // whose text or masks changed (message.updated, §11) is drawn again.
  // With announce (a message that arrived live, not one of a page read),
  // a new message that is not the user's own draft coming back is read
  // out by a screen reader.
  add(msg, { announce = false } = {}) {
    if (this.#shown.has(msg.id)) {
      this.update(msg);
      return false;
    }
    const pending = this.#pending.get(msg.client_msg_id);
    const follow = pending !== undefined || this.#atBottom();
    if (pending) {
      pending.el.remove();
      this.#pending.delete(msg.client_msg_id);
    }
    this.#insert(msg);
    if (follow) this.scrollToEnd();
    if (announce && !pending) this.#announce(this.#shown.get(msg.id));
    return true;
  }

  // #announce puts the text of a message's line (who, what, when) alone
  // in the live region: a new node each time, so that the same words
  // twice in a row are read twice.
  #announce(el) {
    if (!this.#live) return;
    const line = document.createElement('span');
    line.textContent = el.textContent.replace(/\s+/g, ' ').trim();
    this.#live.replaceChildren(line);
  }

  #insert(msg) {
    const el = this.#render(msg);
    Object.assign(el.dataset, { seq: msg.seq, sender: msg.sender_type, messageId: msg.id });
    this.#list.insertBefore(el, this.#placeFor(msg.seq));
    this.#shown.set(msg.id, el);
    this.#drawn.set(el, msg);
    this.lastSeq = Math.max(this.lastSeq, msg.seq);
  }

  // #showHead puts the earlier row at the top while there are earlier
  // messages, and takes it away once there are none.
  #showHead() {
    if (!this.#before || !this.#load) {
      this.#head?.remove();
      this.#head = null;
      return;
    }
    if (!this.#head) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary earlier';
      button.dataset.testid = 'thread-earlier';
      button.dataset.i18n = 'thread.earlier'; // a new language relabels it (Locale.apply)
      button.addEventListener('click', () => this.#loadEarlier());
      this.#head = document.createElement('li');
      this.#head.className = 'thread-earlier';
      this.#head.append(button);
      this.#list.prepend(this.#head);
    }
    const button = this.#head.firstChild;
    button.textContent = this.#t('thread.earlier');
    button.disabled = this.#loading;
    button.setAttribute('aria-busy', String(this.#loading));
  }

  // #loadEarlier shows the page before the first shown message where the
  // reader was: what they looked at stays in its place.
  async #loadEarlier() {
    if (this.#loading || !this.#before || !this.#load) return;
    const generation = this.#generation;
    this.#loading = true;
    this.#showHead();
    try {
      const page = await this.#load(this.#before);
      if (generation !== this.#generation) return;
      // The first line shown stays where it is on the screen.
      const anchor = this.#head.nextElementSibling;
      const top = anchor?.getBoundingClientRect().top;
      for (const m of page.messages) {
        if (!this.#shown.has(m.id)) this.#insert(m);
      }
      this.#before = page.earlier;
      this.#loading = false;
      this.#showHead();
      if (anchor) this.#scroller.scrollTop += anchor.getBoundingClientRect().top - top;
    } catch (err) {
      if (generation !== this.#generation) return;
      this.#loading = false;
      this.#showHead();
      this.#onError(err);
    }
  }

  // update draws a shown message again when its text or masks changed,
  // or always with force (what is drawn around the text changed).
  update(msg, force = false) {
    const el = this.#shown.get(msg.id);
    const old = el && this.#drawn.get(el);
    if (!el || !force && old.body === msg.body && JSON.stringify(old.masks ?? []) === JSON.stringify(msg.masks ?? [])) return;
    const fresh = this.#render(msg);
    Object.assign(fresh.dataset, { seq: msg.seq, sender: msg.sender_type, messageId: msg.id });
    el.replaceWith(fresh);
    this.#shown.set(msg.id, fresh);
    this.#drawn.set(fresh, msg);
  }

  // redraw draws every shown message again, the pages read before
  // included (the page's language changed): the newest first, a page at a
  // time with a pause between, so that a long thread keeps the page
  // responsive.
  async redraw() {
    const generation = this.#generation;
    const ids = [...this.#list.children].reverse().map((el) => this.#drawn.get(el)?.id).filter((id) => id !== undefined);
    for (let i = 0; i < ids.length; i += MESSAGE_PAGE) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve));
      if (generation !== this.#generation) return;
      for (const id of ids.slice(i, i + MESSAGE_PAGE)) {
        const el = this.#shown.get(id);
        if (el) this.update(this.#drawn.get(el), true);
      }
    }
  }

  // message is the shown message with this id.
  message(id) {
    const el = this.#shown.get(id);
    return el ? this.#drawn.get(el) : undefined;
  }

  // addPending shows a draft the user is sending under its client_msg_id.
  addPending(clientMsgID, draft) {
    const entry = { el: null, draft };
    this.#pending.set(clientMsgID, entry);
    this.#show(clientMsgID, entry, 'pending');
    this.scrollToEnd();
  }

  // mark changes a draft's status ("retrying" or "failed" with an error).
  mark(clientMsgID, status, error) {
    const entry = this.#pending.get(clientMsgID);
    if (entry) this.#show(clientMsgID, entry, status, error);
  }

  // draftElement is the element showing a draft, while it is one.
  draftElement(clientMsgID) {
    return this.#pending.get(clientMsgID)?.el ?? null;
  }

  // drop removes a draft the server accepted without storing a message.
  drop(clientMsgID) {
    this.#pending.get(clientMsgID)?.el.remove();
    this.#pending.delete(clientMsgID);
  }

  scrollToEnd() {
    this.#scroller.scrollTop = this.#scroller.scrollHeight;
  }

  #show(clientMsgID, entry, status, error) {
    const el = this.#render(entry.draft, status, error);
    Object.assign(el.dataset, { pending: status, sender: entry.draft.sender_type, clientMsgId: clientMsgID });
    if (entry.el) entry.el.replaceWith(el);
    else this.#list.append(el);
    entry.el = el;
  }

  // #placeFor finds the element a message with this seq goes before:
  // the first later message, or the first draft (drafts stay last); the
  // earlier row stays first.
  #placeFor(seq) {
    let before = null;
    for (let n = this.#list.lastElementChild; n; n = n.previousElementSibling) {
      if (n === this.#head || n.dataset.seq !== undefined && Number(n.dataset.seq) < seq) break;
      before = n;
    }
    return before;
  }

  #atBottom() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }
}
