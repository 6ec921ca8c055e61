// Thread shows a conversation's messages in seq order. A message the user
// sends appears at once as pending; when the stored message comes back (in
// the POST response or as a WebSocket event, whichever is first) it takes
// the pending one's place, and later copies are ignored.
export class Thread {
  #list;
  #scroller;
  #render;
  #shown = new Map(); // message id → element
  #drawn = new WeakMap(); // element → the message it shows
  #pending = new Map(); // client_msg_id → { el, draft }

  // render(message, status, error) returns the element for a message;
  // status is "pending", "retrying" or "failed" for unconfirmed drafts.
  constructor(list, render, scroller = list) {
    this.#list = list;
    this.#render = render;
    this.#scroller = scroller;
    this.lastSeq = 0;
  }

  clear() {
    this.#list.replaceChildren();
    this.#shown.clear();
    this.#pending.clear();
    this.lastSeq = 0;
  }

  // add shows a stored message unless it is already shown; a shown one
  // whose text or masks changed (message.updated, §11) is drawn again.
  add(msg) {
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
    const el = this.#render(msg);
    Object.assign(el.dataset, { seq: msg.seq, sender: msg.sender_type, messageId: msg.id });
    this.#list.insertBefore(el, this.#placeFor(msg.seq));
    this.#shown.set(msg.id, el);
    this.#drawn.set(el, msg);
    this.lastSeq = Math.max(this.lastSeq, msg.seq);
    if (follow) this.scrollToEnd();
    return true;
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
  // the first later message, or the first draft (drafts stay last).
  #placeFor(seq) {
    let before = null;
    for (let n = this.#list.lastElementChild; n; n = n.previousElementSibling) {
      if (n.dataset.seq !== undefined && Number(n.dataset.seq) < seq) break;
      before = n;
    }
    return before;
  }

  #atBottom() {
    const s = this.#scroller;
    return s.scrollHeight - s.scrollTop - s.clientHeight < 48;
  }
}
