// <sodam-details> is the right-hand panel (§4): the open conversation's
// facts (agent or robot, room, channel, the customer's total
// conversations, times, rating), the customer's profile as a form saved
// explicitly, the customer's tags, the conversation's note (category,
// tags, memo) and the customer's history. Unsaved edits of the profile and
// the note are drafts per conversation (drafts.js): they survive switching
// conversations and reloading, show as "unsaved", and when a conversation
// ends with a draft left the panel says so instead of dropping it. The
// customer follows changes made elsewhere (a colleague, a manager, the
// visitor signing in) as they come: the saved values refresh around the
// agent's unsaved edits, which stay, marked unsaved; when a change touches
// a field the agent is editing, a toast says so (saving would replace it).
import { h, stars } from '../shared/dom.js';
import { attachmentView } from '../shared/files.js';
import { MESSAGE_PAGE, Thread } from '../shared/thread.js';
import { systemText } from './conversation.js';
import { clearInvalid, clockTime, closeReasonText, exactTime, formError, label, locale, processedText, t, waitingTime } from './i18n.js';
import { customerName } from './names.js';
import { renderNote } from './notes.js';
import { CategoryPicker, loadChoices, TagPicker } from './pickers.js';
import { editsLeft, fillProfile, markProfileError, overlaps, profileChanges, profileMarkup, profileTestIDs, showProfileNotes } from './profileform.js';
import { stamp, template } from './template.js';
import { openTicketDialog } from './ticketcreate.js';
import { moment } from './time.js';
import { toast } from './toast.js';
import { recordNote, savedNote, saveNote } from './wrapup.js';

// MERGE_REFUSALS are the refusals of a customer ID change whose message
// names the identifiers (and chats) in the way.
const MERGE_REFUSALS = ['merge_open_chats', 'merge_blocked', 'identifier_in_use'];

// markup is the element's content, stamped when it is first connected.
const markup = template(`
<header class="details-head">
  <h2 data-i18n="details.label"></h2>
  <button type="button" class="icon only-phone" data-action="hide-info" data-i18n-attr="aria-label:conv.back;title:conv.back">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M6 6l12 12M18 6L6 18"/></svg>
  </button>
</header>
<p class="draft-warning" role="alert" data-ref="draft-warning" data-testid="draft-warning" hidden></p>
<section>
  <h3 data-i18n="details.conversation"></h3>
  <dl data-ref="conversation" data-testid="details-conversation"></dl>
</section>
<section>
  <h3><span data-i18n="details.customer"></span> <span class="unsaved" data-ref="customer-unsaved" data-i18n="details.unsaved" data-testid="customer-unsaved" hidden></span></h3>
  <dl data-ref="customer" data-testid="details-customer"></dl>
  <form class="id-form" data-ref="customer-id-form" data-testid="customer-id-form" novalidate hidden>
    <label><span data-i18n="details.customer_id_new"></span><input name="customer_id" maxlength="128" autocomplete="off" spellcheck="false" data-testid="customer-id-input"></label>
    <small class="help" data-i18n="details.customer_id_help"></small>
    <p class="form-error" role="alert" data-ref="customer-id-error" data-testid="customer-id-error"></p>
    <div class="form-actions">
      <button type="button" class="secondary" data-ref="customer-id-cancel" data-i18n="conv.cancel" data-testid="customer-id-cancel"></button>
      <button type="submit" class="primary" data-i18n="details.customer_id_change" data-testid="customer-id-save"></button>
    </div>
  </form>
  <form class="profile" data-ref="customer-form" data-testid="customer-form" novalidate>
    <fieldset data-ref="customer-fields">
      ${profileMarkup}
      <p class="form-error" role="alert" data-ref="customer-error" data-testid="customer-error"></p>
      <div class="form-actions">
        <button type="button" class="secondary" data-ref="customer-revert" data-i18n="details.revert" data-testid="customer-revert"></button>
        <button type="submit" class="primary" data-i18n="settings.save" data-testid="customer-save"></button>
      </div>
    </fieldset>
  </form>
  <h4 data-i18n="details.extra"></h4>
  <dl data-ref="customer-more" data-testid="details-customer-more"></dl>
</section>
<section>
  <h3 data-i18n="details.customer_tags"></h3>
  <div class="tags" data-ref="customer-tags" data-testid="customer-tags"></div>
</section>
<section>
  <h3><span data-i18n="details.note_heading"></span> <span class="unsaved" data-ref="note-unsaved" data-i18n="details.unsaved" data-testid="note-unsaved" hidden></span></h3>
  <form class="profile" data-ref="note-form" data-testid="note-form" novalidate>
    <fieldset data-ref="note-fields">
      <div class="field"><span class="field-label" data-i18n="details.category"></span><div data-ref="note-category"></div></div>
      <div class="field"><span class="field-label" data-i18n="details.conversation_tags"></span><div class="tags" data-ref="note-tags" data-testid="conversation-tags"></div></div>
      <label><span data-i18n="details.memo"></span><textarea name="memo" rows="3" maxlength="1000" data-testid="note-memo"></textarea></label>
      <p class="form-error" role="alert" data-ref="note-error" data-testid="note-error"></p>
      <div class="form-actions">
        <button type="button" class="secondary" data-ref="note-revert" data-i18n="details.revert" data-testid="note-revert"></button>
        <button type="submit" class="primary" data-i18n="settings.save" data-testid="note-save"></button>
      </div>
    </fieldset>
  </form>
</section>
<section>
  <h3 data-i18n="details.ticket"></h3>
  <button type="button" class="secondary" data-ref="create-ticket" data-i18n="details.create_ticket" data-testid="create-ticket"></button>
</section>
<section>
  <h3 data-i18n="details.history"></h3>
  <ol class="history" data-ref="history" data-testid="history-list"></ol>
  <button type="button" class="secondary load-more" data-ref="history-more" data-i18n="list.more" data-testid="history-more" hidden></button>
  <p class="help" data-ref="history-empty" data-i18n="details.history_empty" data-testid="history-empty" hidden></p>
</section>
<dialog class="dialog form-dialog history-dialog" data-ref="history-dialog" aria-labelledby="history-title" data-testid="history-dialog">
  <div class="history-view">
    <h2 id="history-title" data-ref="history-title"></h2>
    <dl class="facts" data-ref="history-facts" data-testid="history-facts"></dl>
    <ol class="transcript" data-ref="history-messages" data-testid="history-messages"></ol>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-dismiss data-i18n="details.close_view" data-testid="history-close"></button>
    </div>
  </div>
</dialog>
<dialog class="dialog form-dialog" data-ref="merge-dialog" aria-labelledby="merge-title" data-testid="merge-dialog">
  <form method="dialog" data-ref="merge-form">
    <h2 id="merge-title" data-i18n="merge.title"></h2>
    <p data-ref="merge-text" data-testid="merge-text"></p>
    <p class="help" data-i18n="merge.help"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-dismiss data-i18n="conv.cancel" data-testid="merge-cancel"></button>
      <button type="submit" class="danger" data-i18n="merge.confirm" data-testid="merge-confirm"></button>
    </div>
  </form>
</dialog>
`);

class Details extends HTMLElement {
  #inbox = null;
  #id = 0;
  #states = new Map(); // conversation id → state last seen, to notice closing
  #history = [];
  #historyDrawn = ''; // what the history list shows (#renderHistory)
  #historyNext = ''; // the cursor of the history's next page
  #customerTags;
  #shown = null; // the customer the profile form was last filled from
  #category;
  #noteTags;
  #past = null; // the past conversation the history dialog shows
  #pastThread; // its transcript

  connectedCallback() {
    if (this.firstElementChild) return; // built once
    stamp(this, markup);
    const transcript = this.#ref('history-messages');
    this.#pastThread = new Thread(transcript, (m) => transcriptLine(m, this.#past), transcript, { t, onError: (err) => toast(locale.errorText(err)) });
    this.#customerTags = new TagPicker(this.#ref('customer-tags'), () => this.#saveCustomerTags());
    this.#category = new CategoryPicker(this.#ref('note-category'), 'note-category', () => this.#noteEdited());
    this.#noteTags = new TagPicker(this.#ref('note-tags'), () => this.#noteEdited());
    const form = this.#ref('customer-form');
    profileTestIDs(form, 'customer');
    form.addEventListener('input', (e) => this.#customerEdited(e.target));
    form.addEventListener('submit', (e) => this.#saveCustomer(e));
    this.#ref('customer-revert').addEventListener('click', () => this.#inbox.drafts.set(this.#id, 'customer', null));
    this.#ref('note-form').memo.addEventListener('input', () => this.#noteEdited());
    this.#ref('note-form').addEventListener('submit', (e) => this.#saveNote(e));
    this.#ref('note-revert').addEventListener('click', () => this.#inbox.drafts.set(this.#id, 'note', null));
    this.#ref('create-ticket').addEventListener('click', () => {
      // Live or closed: a closed chat not in the loaded lists still has its ID.
      const c = this.#inbox.conversations.get(this.#id) ?? (this.#id ? { id: this.#id } : null);
      if (c) openTicketDialog(this.#inbox, c);
    });
    this.#ref('customer-id-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#changeCustomerID(false);
    });
    this.#ref('customer-id-cancel').addEventListener('click', () => this.#editCustomerID(false));
    this.#ref('merge-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#changeCustomerID(true);
    });
    for (const button of this.querySelectorAll('[data-dismiss]')) {
      button.addEventListener('click', () => button.closest('dialog').close());
    }
    locale.addEventListener('change', () => {
      this.#customerTags.relabel();
      this.#category.relabel();
      this.#noteTags.relabel();
      this.#render();
      this.#renderHistory();
      this.#pastThread.redraw();
    });
  }

  attach(inbox) {
    this.#inbox = inbox;
    this.#states.clear();
    inbox.addEventListener('open', (e) => this.#load(e.detail));
    inbox.addEventListener('conversation', (e) => this.#conversationChanged(e.detail));
    inbox.addEventListener('customer', (e) => {
      this.#warnOverlap(e.detail);
      this.#render();
      this.#fillCustomer();
    });
    inbox.drafts.addEventListener('change', (e) => {
      if (e.detail.id !== this.#id) return;
      if (e.detail.part === 'customer') this.#fillCustomer();
      else this.#fillNote();
      this.#render();
    });
    this.#load(0);
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  get #current() {
    return this.#inbox?.conversations.get(this.#id);
  }

  async #load(id) {
    this.#id = id;
    this.#history = [];
    this.#historyNext = '';
    this.#editCustomerID(false);
    for (const dialog of this.querySelectorAll('dialog[open]')) dialog.close();
    for (const el of this.querySelectorAll('.form-error')) el.replaceChildren();
    this.#customerTags.clear();
    this.#noteTags.clear();
    this.#render();
    this.#fillCustomer();
    this.#fillNote();
    this.#renderHistory();
    if (!id) return;
    const fail = (err) => {
      if (this.#id === id) toast(locale.errorText(err));
    };
    this.#inbox.reloadOpen().catch(fail);
    this.#loadHistory().catch(fail);
    loadChoices(this.#inbox).then((choices) => {
      if (this.#id !== id) return;
      this.#customerTags.setOptions(choices.customer);
      this.#noteTags.setOptions(choices.conversation);
      this.#category.setCategories(choices.categories);
    }, fail);
  }

  // #loadHistory loads the first page of the customer's conversations, or
  // with more the page after those shown.
  async #loadHistory(more = false) {
    const id = this.#id;
    const cursor = more ? `?cursor=${encodeURIComponent(this.#historyNext)}` : '';
    const { items, next } = await this.#inbox.request('GET', `/conversations/${id}/history${cursor}`, undefined, { page: true });
    if (this.#id !== id) return;
    this.#history = more ? [...this.#history, ...items] : items;
    this.#historyNext = next;
    this.#renderHistory();
  }

  // #conversationChanged follows every conversation: the open one redraws,
  // its entry in the history follows, and one that closes with a draft
  // left is pointed out.
  #conversationChanged(c) {
    const before = this.#states.get(c.id);
    this.#states.set(c.id, c.state);
    if (before && before !== 'closed' && c.state === 'closed' && this.#inbox.drafts.has(c.id)) {
      toast(t('details.closed_with_draft', { no: c.room_no }));
    }
    const i = this.#history.findIndex((past) => past.id === c.id);
    if (i >= 0) {
      this.#history[i] = { ...this.#history[i], ...c };
      this.#renderHistory();
    }
    if (c.id !== this.#id) return;
    this.#render();
    this.#fillNote();
    // Blocked from elsewhere: the profile's status changed too.
    const cu = this.#inbox.customer;
    if (c.close_reason === 'blocked' && cu && !cu.blocked_at) this.#inbox.reloadOpen().catch(() => {});
  }

  // #render draws what the panel only shows: the facts, the markers and
  // the warning. The forms are filled by #fillCustomer and #fillNote, so
  // redrawing never touches what the agent is typing.
  #render() {
    const inbox = this.#inbox;
    const c = this.#current;
    const cu = this.#id ? inbox?.customer : null;
    this.dataset.state = this.#id ? 'open' : 'empty';
    const closed = c?.state === 'closed';
    const flags = c ? [c.important && t('flag.important'), c.on_hold && t('flag.hold')].filter(Boolean) : [];
    const total = this.#id && inbox?.total;
    this.#ref('conversation').replaceChildren(...(c ? [
      row('assignee', c.state === 'bot' ? t('details.robot') : c.assignee_name || t('state.unassigned')),
      row('identifier', c.identifier),
      row('room', t('conv.room', { no: c.room_no })),
      row('channel', label('channel.', c.channel)),
      total && row('total', t('details.total_value', { n: total })),
      row('state', t('state.' + c.state)),
      flags.length && row('flags', flags.join(' · ')),
      row('agent_path', agentPath(c.agent_path)),
      row('started', moment(c.created_at)),
      c.first_reply_at && row('first_reply', moment(c.first_reply_at)),
      c.customer_left_at && row('customer_left', moment(c.customer_left_at)),
      c.closed_at && row('closed', moment(c.closed_at)),
      c.close_reason && (closed || c.customer_left_at) && row('close_reason', closeReasonText(c.close_reason, c)),
      closed && row('processed', processedText('details.processed_', c)),
      c.rating && row('rating', ratingStars(c.rating.score), c.rating.comment),
    ] : []).filter(Boolean).flat());
    const processed = this.querySelector('[data-field=processed]');
    if (processed) processed.dataset.processed = String(Boolean(c.processed));
    const rating = this.querySelector('[data-testid=details-conversation] [data-field=rating]');
    if (rating) rating.dataset.score = c.rating.score;

    // Who the customer is first; how they came (and what their site
    // passed) after the profile form.
    this.#ref('customer').replaceChildren(...(cu ? [
      this.#customerIDRow(cu),
      cu.identifiers > 1 && row('identifiers', t('details.identifiers_value', { n: cu.identifiers })),
      row('verified_phone', cu.verified_phone, cu.verified_phone && t('details.verified_phone_note')),
      row('status', cu.blocked_at ? t('details.status_blocked') : t('details.status_active')),
      cu.blocked_at && row('blocked', t('details.blocked_since', { time: exactTime(new Date(cu.blocked_at)) }),
        [label('block_reason.', cu.block_reason), cu.block_note].filter(Boolean).join(' · ')),
    ] : []).filter(Boolean).flat());
    const status = this.querySelector('[data-testid=details-customer] [data-field=status]');
    if (status) status.dataset.blocked = String(Boolean(cu.blocked_at));
    this.#ref('customer-more').replaceChildren(...(cu ? [
      row('language', cu.language),
      row('ip', cu.ip),
      row('device', cu.device),
      ...Object.entries(cu.extra ?? {}).sort().map(([key, value]) => extraRow(key, value)),
    ] : []).flat());
    const device = this.querySelector('[data-testid=details-customer-more] [data-field=device]');
    if (device) device.title = cu.device;

    const drafts = inbox?.drafts;
    const customerDraft = Boolean(this.#id && drafts?.get(this.#id, 'customer'));
    const noteDraft = Boolean(this.#id && drafts?.get(this.#id, 'note'));
    this.#ref('customer-unsaved').hidden = !customerDraft;
    this.#ref('note-unsaved').hidden = !noteDraft;
    const warning = this.#ref('draft-warning');
    warning.hidden = !(closed && (customerDraft || noteDraft));
    warning.textContent = warning.hidden ? '' : t('details.closed_draft_warning');
    this.#ref('customer-fields').disabled = !cu;
    this.#ref('note-fields').disabled = !c;
    this.#customerTags.disabled = !cu;
    this.#noteTags.disabled = !c;
    this.#category.disabled = !c;
    showProfileNotes(this.#ref('customer-form'));
  }

  #customerIDRow(cu) {
    const [dt, dd] = row('customer_id', cu.customer_id, t(cu.verified ? 'details.verified' : 'details.anonymous'));
    dd.append(h('button', {
      type: 'button', class: 'link', dataset: { testid: 'customer-id-edit' },
      hidden: !this.#ref('customer-id-form').hidden, onclick: () => this.#editCustomerID(true),
    }, t('details.customer_id_change')));
    return [dt, dd];
  }

  // The profile form.

  // #fillCustomer shows the customer's saved profile with this
  // conversation's draft over it. Fields already showing the value are
  // left alone, so the caret of the field being typed in stays put.
  #fillCustomer() {
    const cu = this.#id ? this.#inbox?.customer : null;
    const draft = (this.#id && this.#inbox?.drafts.get(this.#id, 'customer')) || {};
    this.#shown = cu;
    fillProfile(this.#ref('customer-form'), { ...cu, ...draft });
    if (cu) this.#customerTags.set(cu.tags);
    else this.#customerTags.set([]);
    // A saved value may now equal the draft's: then it is no longer one.
    if (cu && Object.keys(draft).length) this.#customerEdited();
  }

  // #warnOverlap tells the agent when the customer, changed elsewhere, now
  // has another value in a field they have an unsaved edit of: the edit
  // stays (#fillCustomer), and saving it would replace that change.
  #warnOverlap(cu) {
    const before = this.#shown;
    const draft = this.#id && this.#inbox.drafts.get(this.#id, 'customer');
    if (!draft || !cu || before?.id !== cu.id) return;
    if (overlaps(draft, before, cu)) toast(t('details.changed_elsewhere'));
  }

  // #customerEdited records what differs from the saved profile as the
  // conversation's draft.
  #customerEdited(input) {
    const cu = this.#inbox.customer;
    if (!this.#id || !cu) return;
    if (input?.matches?.('input, textarea, select')) clearInvalid(input);
    const changed = profileChanges(this.#ref('customer-form'), cu);
    const had = this.#inbox.drafts.get(this.#id, 'customer');
    const has = Object.keys(changed).length > 0;
    if (has || had) this.#inbox.drafts.set(this.#id, 'customer', has ? changed : null);
  }

  async #saveCustomer(e) {
    e.preventDefault();
    const id = this.#id;
    const changed = this.#inbox.drafts.get(id, 'customer');
    const error = this.#ref('customer-error');
    error.replaceChildren();
    if (!changed) return;
    const submit = e.target.querySelector('[type=submit]');
    submit.disabled = true;
    try {
      const customer = await this.#inbox.request('PATCH', `/conversations/${id}/customer`, changed);
      // What was typed while the save was on its way stays a draft.
      const left = editsLeft(this.#inbox.drafts.get(id, 'customer') ?? {}, changed, customer);
      this.#inbox.drafts.set(id, 'customer', Object.keys(left).length ? left : null);
      if (this.#id === id) this.#inbox.setCustomer(customer);
      toast(t('details.saved'));
    } catch (err) {
      if (this.#id !== id) return toast(locale.errorText(err));
      formError(error, err);
      markProfileError(e.target, err, error);
    } finally {
      submit.disabled = false;
    }
  }

  async #saveCustomerTags() {
    const id = this.#id;
    try {
      const customer = await this.#inbox.request('PUT', `/conversations/${id}/customer/tags`, { tag_ids: this.#customerTags.value });
      if (this.#id === id) this.#inbox.setCustomer(customer);
    } catch (err) {
      toast(locale.errorText(err));
      if (this.#id === id) this.#customerTags.set(this.#inbox.customer?.tags);
    }
  }

  // The customer ID: its own small form, since changing it to one in use
  // merges two customers and asks first (§1.3).

  #editCustomerID(on) {
    const form = this.#ref('customer-id-form');
    form.hidden = !on;
    this.#ref('customer-id-error').replaceChildren();
    if (on) {
      form.elements.customer_id.value = this.#inbox.customer?.customer_id ?? '';
      form.elements.customer_id.focus();
    }
    const edit = this.querySelector('[data-testid=customer-id-edit]');
    if (edit) edit.hidden = on;
  }

  async #changeCustomerID(confirm) {
    const id = this.#id;
    const form = this.#ref('customer-id-form');
    const value = form.elements.customer_id.value.trim();
    if (!confirm && value === this.#inbox.customer?.customer_id) return this.#editCustomerID(false);
    const buttons = [...this.querySelectorAll('[data-testid=customer-id-save], [data-testid=merge-confirm]')];
    for (const b of buttons) b.disabled = true;
    try {
      const customer = await this.#inbox.request('PUT', `/conversations/${id}/customer/id`, { customer_id: value, confirm });
      this.#ref('merge-dialog').close();
      if (this.#id !== id) return;
      this.#editCustomerID(false);
      this.#inbox.setCustomer(customer);
      toast(t(confirm ? 'merge.done' : 'details.customer_id_changed', { id: customer.customer_id }));
      // The history and the total now follow the new customer ID.
      this.#inbox.reloadOpen().catch(() => {});
      this.#loadHistory().catch(() => {});
    } catch (err) {
      this.#ref('merge-dialog').close();
      if (this.#id !== id) return;
      if (err.code === 'merge_required') {
        this.#ref('merge-text').replaceChildren(t('merge.question', { id: value }), ' ', h('small', { class: 'detail' }, err.message));
        this.#ref('merge-dialog').showModal();
      } else {
        const el = this.#ref('customer-id-error');
        formError(el, err);
        // Why two web identifiers cannot become one names them (§1.3).
        if (MERGE_REFUSALS.includes(err.code) && err.message) el.append(' ', h('small', { class: 'detail' }, err.message));
      }
    } finally {
      for (const b of buttons) b.disabled = false;
    }
  }

  // The conversation's note: category, conversation tags and memo. The
  // wrap-up dialog edits the same draft.

  #fillNote() {
    const c = this.#current;
    const note = (this.#id && this.#inbox?.drafts.get(this.#id, 'note')) || savedNote(c);
    this.#category.set(note.category_id, note.category_path);
    this.#noteTags.set(note.tags);
    const memo = this.#ref('note-form').memo;
    if (memo.value !== note.memo) memo.value = note.memo;
  }

  #noteEdited() {
    const c = this.#current;
    if (!c) return;
    recordNote(this.#inbox, c, {
      category_id: this.#category.value, category_path: this.#category.path,
      tags: this.#noteTags.tags, memo: this.#ref('note-form').memo.value,
    });
  }

  async #saveNote(e) {
    e.preventDefault();
    const id = this.#id;
    const note = this.#inbox.drafts.get(id, 'note');
    const error = this.#ref('note-error');
    error.replaceChildren();
    if (!note) return;
    const submit = e.target.querySelector('[type=submit]');
    submit.disabled = true;
    try {
      await saveNote(this.#inbox, id, note);
      toast(t('details.saved'));
    } catch (err) {
      if (this.#id === id) formError(error, err);
      else toast(locale.errorText(err));
    } finally {
      submit.disabled = false;
    }
  }

  // History: the customer ID's conversations, newest first.

  #renderHistory() {
    // Redrawn only when what it shows changed: the open conversation
    // changes with every message, and a redraw between a person's press
    // and release takes their click away.
    const drawn = JSON.stringify([locale.lang, this.#id, this.#history.map((c) =>
      [c.id, c.created_at, c.room_no, c.state, c.memo, c.category_path, c.agent_path])]);
    if (drawn !== this.#historyDrawn) {
      this.#historyDrawn = drawn;
      this.#ref('history').replaceChildren(...this.#history.map((c) => this.#historyItem(c)));
    }
    this.#ref('history-empty').hidden = !this.#id || this.#history.length > 0;
    const more = this.#ref('history-more');
    more.hidden = !this.#historyNext;
    more.onclick = () => {
      more.disabled = true;
      this.#loadHistory(true).catch((err) => toast(locale.errorText(err))).finally(() => { more.disabled = false; });
    };
  }

  #historyItem(c) {
    return h('li', {},
      h('button', {
        type: 'button', class: 'history-item', dataset: { testid: 'history-item', conversationId: c.id, current: String(c.id === this.#id) },
        onclick: () => this.#openHistory(c.id),
      },
      h('span', { class: 'history-top' },
        moment(c.created_at),
        h('span', { class: 'room' }, t('conv.room', { no: c.room_no })),
        c.id === this.#id ? h('span', { class: 'chip' }, t('details.history_current'))
          : c.state !== 'closed' && h('span', { class: 'chip', dataset: { state: c.state } }, t('state.' + c.state))),
      h('span', { class: 'history-memo', dataset: { field: 'memo' } }, c.memo || t('details.no_memo')),
      h('span', { class: 'history-meta', dataset: { field: 'category' } }, categoryPath(c.category_path)),
      h('span', { class: 'history-meta', dataset: { field: 'agent_path' } }, agentPath(c.agent_path) || nobody(c))));
  }

  async #openHistory(hid) {
    const id = this.#id;
    const dialog = this.#ref('history-dialog');
    try {
      const page = (before) => this.#inbox.request('GET', `/conversations/${id}/history/${hid}?before=${before}&limit=${MESSAGE_PAGE}`);
      const { conversation: c, messages, earlier, duration_seconds: seconds } = await page(0);
      if (this.#id !== id) return;
      dialog.dataset.conversationId = c.id;
      this.#ref('history-title').textContent = t('conv.room', { no: c.room_no });
      this.#ref('history-facts').replaceChildren(...[
        row('started', moment(c.created_at)),
        c.closed_at && row('closed', moment(c.closed_at)),
        row('duration', waitingTime(seconds * 1000)),
        row('channel', label('channel.', c.channel)),
        row('agent_path', agentPath(c.agent_path) || nobody(c)),
        row('category', categoryPath(c.category_path)),
        row('conversation_tags', (c.tags ?? []).map((tag) => tag.name).join(', ')),
        row('memo', c.memo),
        c.rating && row('rating', ratingStars(c.rating.score), c.rating.comment),
      ].filter(Boolean).flat());
      const rating = this.querySelector('[data-testid=history-facts] [data-field=rating]');
      if (rating) rating.dataset.score = c.rating.score;
      this.#past = c;
      const thread = this.#pastThread;
      thread.clear();
      for (const m of messages) thread.add(m);
      thread.earlier(earlier, page);
      if (!dialog.open) dialog.showModal();
      thread.scrollToEnd();
    } catch (err) {
      toast(locale.errorText(err));
    }
  }
}

// transcriptLine is one message of a past conversation, as the thread
// draws it: events as a line, internal notes set apart, files as links
// (and thumbnails) to download. bubble draws a text message's body and
// fileName a file's name with its marks, or null (attachmentView); the
// history page passes the masking component's (pii.js).
export function transcriptLine(m, c, bubble = (msg) => h('p', { class: 'bubble' }, msg.body), fileName = () => null) {
  const date = new Date(m.created_at);
  const when = h('time', { class: 'meta', datetime: m.created_at, title: exactTime(date) }, clockTime(date));
  if (m.sender_type === 'system') {
    return h('li', { class: 'msg system', dataset: { code: m.body, sender: 'system' } }, h('span', { class: 'event-line' }, h('span', { class: 'event' }, systemText(m, c)), when));
  }
  const byAgent = m.sender_type === 'agent';
  if (byAgent && m.internal) return renderNote(m); // an internal note, set apart as in the thread
  return h('li', { class: byAgent ? 'msg agent' : 'msg visitor', dataset: { sender: m.sender_type, kind: m.kind ?? 'text' } },
    h('span', { class: 'who' }, byAgent ? m.sender_name || t('msg.agent') : customerName(c) || t('msg.visitor')),
    m.attachment ? attachmentView(m.attachment, locale.lang, { open: t('file.open'), download: t('file.download') }, fileName(m) ?? {}) : bubble(m),
    when);
}

// agentPath shows who held the conversation, in order: "Kim > Lee".
function agentPath(path) {
  const names = (path ?? []).map((step) => step.name);
  return names.length ? names.join(' > ') : '';
}

// nobody names who handled a conversation no agent held: the robot once
// it is over (or while the bot has it), else nobody yet.
function nobody(c) {
  return c.state === 'closed' || c.state === 'bot' ? t('details.robot') : t('state.unassigned');
}

function categoryPath(path) {
  return path?.length ? path.join(' > ') : t('details.no_category');
}

// ratingStars draws a 1–5 rating, named in words for screen readers.
function ratingStars(score) {
  const words = t('details.rating_value', { n: score });
  return h('span', { class: 'stars', role: 'img', 'aria-label': words, title: words }, stars(score));
}

// row is one <dt>/<dd> pair; an empty value shows as a dash.
function row(field, value, note) {
  return [
    h('dt', {}, t('details.' + field)),
    h('dd', { dataset: { field } }, value || t('details.none'), note && h('span', { class: 'note' }, note)),
  ];
}

function extraRow(key, value) {
  return [h('dt', { title: key }, key.replace(/^cus_extra_/, '')), h('dd', { dataset: { field: key } }, value)];
}


customElements.define('sodam-details', Details);
