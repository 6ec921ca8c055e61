// The wrap-up note (§5.4): a conversation's category, conversation tags
// and memo. Ending a conversation opens it in a dialog, prefilled with
// what is saved or drafted; "Save and end" stores the note, then closes
// the conversation. The dialog and the details panel edit one draft
// (drafts.js), so cancelling the dialog keeps what was typed.
import { formError, locale } from './i18n.js';
import { CategoryPicker, loadChoices, TagPicker } from './pickers.js';

// savedNote is a conversation's note as stored, in a draft's shape.
export function savedNote(c) {
  return { category_id: c?.category_id ?? 0, category_path: c?.category_path ?? [], tags: c?.tags ?? [], memo: c?.memo ?? '' };
}

// recordNote keeps note as the conversation's draft, or forgets the draft
// when note is what is saved.
export function recordNote(inbox, c, note) {
  const ids = (n) => n.tags.map((tag) => tag.id).sort((x, y) => x - y).join(',');
  const saved = savedNote(c);
  const same = note.category_id === saved.category_id && note.memo === saved.memo && ids(note) === ids(saved);
  inbox.drafts.set(c.id, 'note', same ? null : note);
}

// saveNote stores a note (PUT …/note), forgets the draft and shows the
// conversation the server returns.
export async function saveNote(inbox, id, note) {
  const saved = await inbox.request('PUT', `/conversations/${id}/note`, {
    category_id: note.category_id, tag_ids: note.tags.map((tag) => tag.id), memo: note.memo,
  });
  inbox.drafts.set(id, 'note', null);
  inbox.upsert(saved);
  return saved;
}

// WrapUp drives the wrap-up <dialog> of the conversation pane. onRefused
// gets a refused close, for the pane to reload what is stale.
export class WrapUp {
  #dialog;
  #form;
  #inbox = null;
  #id = 0;
  #category;
  #tags;

  constructor(dialog, onRefused) {
    this.#dialog = dialog;
    this.#form = dialog.querySelector('form');
    this.#category = new CategoryPicker(dialog.querySelector('[data-ref=wrapup-category]'), 'wrapup-category', () => this.#edited());
    this.#tags = new TagPicker(dialog.querySelector('[data-ref=wrapup-tags]'), () => this.#edited());
    this.#form.memo.addEventListener('input', () => this.#edited());
    this.#form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const err = await this.#finish();
      if (err) onRefused(err);
    });
    locale.addEventListener('change', () => {
      this.#category.relabel();
      this.#tags.relabel();
    });
  }

  // open shows the dialog for conversation c.
  open(inbox, c) {
    this.#inbox = inbox;
    this.#id = c.id;
    const note = inbox.drafts.get(c.id, 'note') ?? savedNote(c);
    this.#category.set(note.category_id, note.category_path);
    this.#tags.set(note.tags);
    this.#tags.clear();
    this.#form.memo.value = note.memo;
    this.#error.replaceChildren();
    this.#dialog.showModal();
    loadChoices(inbox).then((choices) => {
      if (this.#id !== c.id) return;
      this.#category.setCategories(choices.categories);
      this.#tags.setOptions(choices.conversation);
    }, (err) => formError(this.#error, err));
  }

  get #error() {
    return this.#dialog.querySelector('[data-ref=wrapup-error]');
  }

  get #note() {
    return { category_id: this.#category.value, category_path: this.#category.path, tags: this.#tags.tags, memo: this.#form.memo.value };
  }

  #edited() {
    const c = this.#inbox?.conversations.get(this.#id);
    if (c) recordNote(this.#inbox, c, this.#note);
  }

  // #finish saves the note and closes the conversation, and returns the
  // refusal if there was one (the dialog then stays open and says why).
  async #finish() {
    const id = this.#id;
    const inbox = this.#inbox;
    const submit = this.#form.querySelector('[type=submit]');
    submit.disabled = true;
    this.#error.replaceChildren();
    try {
      await saveNote(inbox, id, this.#note);
      inbox.upsert(await inbox.request('POST', `/conversations/${id}/close`));
      this.#dialog.close();
      return null;
    } catch (err) {
      formError(this.#error, err);
      return err;
    } finally {
      submit.disabled = false;
    }
  }
}
