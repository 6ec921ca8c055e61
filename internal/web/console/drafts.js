// Drafts keeps what an agent typed in the details panel or the wrap-up
// dialog and has not saved yet, per conversation and per part ("customer"
// for the profile form, "note" for category, tags and memo). It lives in
// sessionStorage, so switching conversations or reloading the tab loses
// nothing (§4.2), and dispatches "change" (detail: {id, part}) so the
// panel and the dialog, which share the note, stay in step.
export class Drafts extends EventTarget {
  #key;
  #all;

  constructor(key) {
    super();
    this.#key = key;
    this.#all = read(key);
  }

  get(id, part) {
    return this.#all[id]?.[part];
  }

  // set records a part's draft; null or undefined removes it.
  set(id, part, value) {
    // Forms record their state on every redraw too: an unchanged draft is
    // no news, and announcing it would redraw again.
    if (JSON.stringify(value ?? null) === JSON.stringify(this.get(id, part) ?? null)) return;
    const parts = { ...this.#all[id] };
    if (value == null) delete parts[part];
    else parts[part] = value;
    if (Object.keys(parts).length) this.#all[id] = parts;
    else delete this.#all[id];
    try {
      sessionStorage.setItem(this.#key, JSON.stringify(this.#all));
    } catch {
      // Private modes may refuse: the drafts stay in memory for this page.
    }
    this.dispatchEvent(new CustomEvent('change', { detail: { id, part } }));
  }

  // has says whether conversation id has any unsaved part.
  has(id) {
    return id in this.#all;
  }
}

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key)) ?? {};
  } catch {
    return {};
  }
}
