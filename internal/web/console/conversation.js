// <sodam-conversation> is the open conversation: its header with the
// actions the agent may take (assign to me, important, hold, transfer,
// block and report, close), the wrap-up banner once the customer has left,
// the messages with system events as centred lines, the customer's typing
// indicator and the composer, which says why it is disabled when the agent
// may not reply, and sends files (one per message) with their progress.
import { bindComposer } from '../shared/composer.js';
import { h, stars } from '../shared/dom.js';
import { attachmentView, draftView, fileProblem, setProgress } from '../shared/files.js';
import { newClientMsgID, retry } from '../shared/net.js';
import { MESSAGE_PAGE, Thread } from '../shared/thread.js';
import { bindCanned } from './canned.js';
import { PII } from './pii.js';
import { bindFAQ } from './faqpick.js';
import { clockTime, closeReasonText, exactTime, formError, locale, statusText, t } from './i18n.js';
import { customerAvatar, customerName } from './names.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';
import { bindMentions, noteText, renderNote, showReceipt } from './notes.js';
import { WrapUp } from './wrapup.js';

const typingTimeout = 6000;

// Refusals that mean the console's picture is stale: reload it.
const staleCodes = new Set(['operation_stopped', 'on_hold', 'customer_left', 'conversation_closed', 'not_assignee',
  'conversation_unassigned', 'auto_assign_only', 'already_assigned', 'hold_needs_active']);

// markup is the element's content, stamped when it is first connected.
const markup = template(`
<p class="placeholder" data-i18n="conv.placeholder"></p>
<header class="conv-head">
  <button type="button" class="icon only-phone" data-action="back" data-i18n-attr="aria-label:conv.back;title:conv.back" data-testid="back-button">
    <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M15 6l-6 6 6 6"/></svg>
  </button>
  <span class="conv-avatar" data-ref="avatar"></span>
  <div class="conv-title">
    <h2 data-ref="name" data-testid="conversation-title"></h2>
    <p class="conv-sub" data-ref="sub"></p>
  </div>
  <div class="conv-actions" data-testid="conversation-actions">
  <div class="conv-tools" role="group" data-i18n-attr="aria-label:conv.tools">
    <button type="button" class="tool important" data-ref="important" aria-pressed="false" data-testid="important-button" hidden>
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M12 3.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8L12 16.8l-5.2 2.8 1-5.8-4.3-4.1 5.9-.8z"/></svg>
      <span class="label"></span>
    </button>
    <button type="button" class="tool" data-ref="hold" aria-pressed="false" data-testid="hold-button" hidden>
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M9 5v14M15 5v14"/></svg>
      <span class="label"></span>
    </button>
    <button type="button" class="tool" data-ref="transfer" aria-haspopup="dialog" data-testid="transfer-button" hidden>
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 8h13M13 4l4 4-4 4M20 16H7M11 12l-4 4 4 4"/></svg>
      <span class="label"></span>
    </button>
    <button type="button" class="tool" data-ref="rating-request" data-testid="rating-request-button" hidden>
      <svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="8.5"/><path d="M8.5 14a4 4 0 0 0 7 0M9 9.5v.5M15 9.5v.5"/></svg>
      <span class="label"></span>
    </button>
    <button type="button" class="tool warn" data-ref="block" aria-haspopup="dialog" data-testid="block-button" hidden>
      <svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="8.5"/><path d="M6 6l12 12"/></svg>
      <span class="label"></span>
    </button>
  </div>
  <button type="button" class="primary" data-ref="assign" data-i18n="conv.assign" data-testid="assign-button" hidden></button>
  <button type="button" class="secondary" data-ref="close" aria-haspopup="dialog" data-i18n="conv.close" data-testid="close-button" hidden></button>
  </div>
  <button type="button" class="icon only-phone" data-action="info" data-i18n-attr="aria-label:conv.info;title:conv.info" data-testid="info-button">
    <svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="12" r="9"/><path d="M12 11v6M12 7.5v.5"/></svg>
  </button>
</header>
<dialog class="dialog form-dialog" data-ref="transfer-dialog" aria-labelledby="transfer-title" data-testid="transfer-dialog">
  <form data-ref="transfer-form" data-testid="transfer-form">
    <h2 id="transfer-title" data-i18n="transfer.title"></h2>
    <p class="help" data-i18n="transfer.help"></p>
    <fieldset class="agent-choices">
      <legend data-i18n="transfer.agents"></legend>
      <div data-ref="transfer-agents" data-testid="transfer-agents"></div>
      <p class="help" data-ref="transfer-none" data-i18n="transfer.none" hidden></p>
    </fieldset>
    <label>
      <span data-i18n="transfer.reason"></span>
      <textarea name="reason" rows="2" maxlength="500" data-testid="transfer-reason"></textarea>
      <small class="help" data-i18n="transfer.reason_help"></small>
    </label>
    <p class="form-error" role="alert" data-ref="transfer-error" data-testid="transfer-error"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-dismiss data-i18n="conv.cancel" data-testid="transfer-cancel"></button>
      <button type="submit" class="primary" data-i18n="transfer.confirm" data-testid="transfer-confirm"></button>
    </div>
  </form>
</dialog>
<dialog class="dialog form-dialog" data-ref="block-dialog" aria-labelledby="block-title" data-testid="block-dialog">
  <form data-ref="block-form" data-testid="block-form">
    <h2 id="block-title" data-i18n="block.title"></h2>
    <p class="help" data-i18n="block.help"></p>
    <fieldset class="reasons">
      <legend data-i18n="block.reason"></legend>
      <label class="check"><input type="radio" name="reason" value="abuse" required data-testid="block-reason-abuse"><span data-i18n="block_reason.abuse"></span></label>
      <label class="check"><input type="radio" name="reason" value="spam" data-testid="block-reason-spam"><span data-i18n="block_reason.spam"></span></label>
      <label class="check"><input type="radio" name="reason" value="obscenity" data-testid="block-reason-obscenity"><span data-i18n="block_reason.obscenity"></span></label>
      <label class="check"><input type="radio" name="reason" value="gambling" data-testid="block-reason-gambling"><span data-i18n="block_reason.gambling"></span></label>
    </fieldset>
    <label>
      <span data-i18n="block.note"></span>
      <textarea name="note" rows="2" maxlength="500" data-testid="block-note"></textarea>
    </label>
    <p class="form-error" role="alert" data-ref="block-error" data-testid="block-error"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-dismiss data-i18n="conv.cancel" data-testid="block-cancel"></button>
      <button type="submit" class="danger" data-i18n="block.confirm" data-testid="block-confirm"></button>
    </div>
  </form>
</dialog>
<dialog class="dialog form-dialog" data-ref="wrapup-dialog" aria-labelledby="wrapup-title" data-testid="wrapup-dialog">
  <form data-testid="wrapup-form" novalidate>
    <h2 id="wrapup-title" data-i18n="wrapup.title"></h2>
    <p class="help" data-i18n="wrapup.help"></p>
    <div class="field"><span class="field-label" data-i18n="details.category"></span><div data-ref="wrapup-category"></div></div>
    <div class="field"><span class="field-label" data-i18n="details.conversation_tags"></span><div class="tags" data-ref="wrapup-tags" data-testid="wrapup-tags"></div></div>
    <label><span data-i18n="details.memo"></span><textarea name="memo" rows="4" maxlength="1000" data-testid="wrapup-memo"></textarea></label>
    <p class="form-error" role="alert" data-ref="wrapup-error" data-testid="wrapup-error"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-dismiss data-i18n="conv.cancel" data-testid="close-cancel"></button>
      <button type="submit" class="danger" data-i18n="wrapup.confirm" data-testid="close-confirm"></button>
    </div>
  </form>
</dialog>
<div class="wrapup" role="status" data-ref="wrapup" data-testid="wrapup-banner" hidden>
  <p data-i18n="conv.wrapup"></p>
  <button type="button" class="primary" data-ref="wrapup-close" data-i18n="conv.wrapup_close" data-testid="wrapup-close"></button>
</div>
<ol class="thread" data-ref="thread" data-testid="messages"></ol>
<p class="sr-only" aria-live="polite" data-ref="live" data-testid="messages-live"></p>
<p class="typing" data-ref="typing" data-i18n="conv.typing" data-testid="typing-indicator" hidden></p>
<form class="composer" data-ref="composer" data-testid="composer">
  <p class="composer-reason" data-ref="reason" data-testid="composer-reason"></p>
  <div class="composer-row">
    <input type="file" hidden data-ref="file" data-testid="composer-file">
    <button type="button" class="icon attach" data-ref="attach" data-i18n-attr="aria-label:composer.attach;title:composer.attach" data-testid="composer-attach">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M21 11.5l-8.6 8.6a5 5 0 0 1-7.1-7.1l8.6-8.6a3.3 3.3 0 0 1 4.7 4.7l-8.6 8.6a1.7 1.7 0 0 1-2.4-2.4l7.9-7.9"/></svg>
    </button>
    <button type="button" class="icon note-toggle" data-ref="note-toggle" aria-pressed="false" data-i18n-attr="aria-label:note.toggle;title:note.toggle_hint" data-testid="composer-note-toggle">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M5 4h14v11l-5 5H5z"/><path d="M14 20v-5h5M8 9h8M8 12.5h5"/></svg>
    </button>
    <textarea name="body" rows="2" maxlength="10000" data-i18n-attr="placeholder:composer.placeholder;aria-label:composer.placeholder" data-testid="composer-input"></textarea>
    <button type="submit" class="primary send" data-ref="send" data-i18n-attr="aria-label:composer.send;title:composer.send" data-testid="composer-send">
      <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 12l16-8-6 16-2.5-6.5z"/></svg>
    </button>
  </div>
</form>
`);

class ConversationView extends HTMLElement {
  #inbox = null;
  #id = 0;
  #thread = null;
  #typingTimer = 0;
  #typingTold = 0; // the conversation the customer was told the agent is typing in
  #pinned = true; // the thread is scrolled to its end
  #wrapup = null; // the wrap-up dialog
  #canned = null; // the "#" canned responses list of the composer
  #pii = null; // masks, findings and the composer's warning (pii.js)
  #note = false; // the composer writes an internal note (notes.js)
  #readTimer = 0; // the pending read report (notes.js)
  #mentions = null; // the "@" list of the note composer (notes.js)
  #faq = null; // the "?" FAQ list of the composer

  connectedCallback() {
    if (this.firstElementChild) return; // built once
    stamp(this, markup);
    const list = this.#ref('thread');
    this.#thread = new Thread(list, (m, status, error) => this.#renderMessage(m, status, error), list,
      { t, onError: (err) => toast(locale.errorText(err)), live: this.#ref('live') });
    // A thread read to its end stays there when banners or the composer's
    // reason take away room.
    list.addEventListener('scroll', () => {
      this.#pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
    });
    new ResizeObserver(() => {
      if (this.#pinned) this.#thread.scrollToEnd();
    }).observe(list);
    this.#pii = new PII(this, { inbox: () => this.#inbox, thread: () => this.#thread, conversation: () => this.#id });
    bindComposer(this.#ref('composer'), {
      send: (text) => this.#guardedSend(text),
      typing: (on) => this.#tellTyping(on),
    });
    // The draft follows the composer; a send empties it (the composer
    // clears the field without an input event).
    this.#input.addEventListener('input', () => this.#keepDraft());
    this.#ref('composer').addEventListener('submit', () => this.#keepDraft());
    this.#ref('note-toggle').addEventListener('click', () => this.setNoteMode(!this.#note));
    this.#mentions = bindMentions(this.#ref('composer'), {
      members: () => this.#inbox?.activeMembers ?? [],
      isNote: () => this.#note,
      agentId: () => this.#inbox?.agentId,
    });
    // Typing "/note " or "/메모 " switches to a note as the prefix completes.
    this.#input.addEventListener('input', () => {
      if (!this.#note && noteText(this.#input.value) !== null && /\s/.test(this.#input.value.slice(-1))) this.setNoteMode(true);
    });
    const file = this.#ref('file');
    this.#ref('attach').addEventListener('click', () => file.click());
    file.addEventListener('change', () => {
      const chosen = file.files[0];
      file.value = '';
      if (chosen) this.#sendFile(chosen);
    });
    this.#bindAgentTools();
    this.#ref('assign').addEventListener('click', () => this.#act('assign'));
    // Ending opens the wrap-up note (§5.4), from the header or the banner.
    this.#wrapup = new WrapUp(this.#ref('wrapup-dialog'), (err) => this.#stale(err));
    this.#ref('close').addEventListener('click', () => this.#openWrapUp());
    this.#ref('wrapup-close').addEventListener('click', () => this.#openWrapUp());
    this.#ref('important').addEventListener('click', () => {
      const c = this.#current;
      if (c) this.#act('important', this.#ref('important'), { on: !c.important });
    });
    this.#ref('hold').addEventListener('click', () => {
      const c = this.#current;
      if (c) this.#act('hold', this.#ref('hold'), { on: !c.on_hold });
    });
    this.#ref('transfer').addEventListener('click', () => this.#openTransfer());
    this.#ref('transfer-form').addEventListener('submit', (e) => this.#transfer(e));
    this.#ref('block').addEventListener('click', () => this.#openBlock());
    this.#ref('block-form').addEventListener('submit', (e) => this.#block(e));
    for (const button of this.querySelectorAll('[data-dismiss]')) {
      button.addEventListener('click', () => button.closest('dialog').close());
    }
    locale.addEventListener('change', () => this.#rerender());
  }

  attach(inbox) {
    this.#inbox = inbox;
    inbox.addEventListener('open', (e) => this.#show(e.detail));
    inbox.addEventListener('conversation', (e) => {
      if (e.detail.id !== this.#id) return;
      this.#renderHead();
      this.#showReceipt();
    });
    document.addEventListener('visibilitychange', () => this.#reportRead());
    inbox.addEventListener('workspace', () => this.#renderHead());
    inbox.addEventListener('customer', () => this.#renderHead());
    inbox.addEventListener('members', () => {
      if (this.#ref('transfer-dialog').open) this.#fillTransferAgents();
    });
    inbox.addEventListener('message', (e) => {
      if (e.detail.conversation_id !== this.#id) return;
      this.#thread.add(e.detail, { announce: true });
      if (e.detail.sender_type === 'visitor') this.#showTyping(false);
      this.#showReceipt();
      this.#reportRead();
    });
    inbox.addEventListener('typing', (e) => {
      if (e.detail.conversation_id === this.#id && e.detail.sender_type === 'visitor') this.#showTyping(e.detail.typing);
    });
    this.#show(0);
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  get #input() {
    return this.#ref('composer').elements.body;
  }

  get #current() {
    return this.#inbox?.conversations.get(this.#id);
  }

  async #show(id) {
    this.#tellTyping(false);
    this.#keepDraft();
    this.#id = 0; // nothing is kept while the next draft is put in
    const draft = this.#draft(id);
    this.#input.value = draft.text;
    this.#canned?.close();
    this.#mentions?.close();
    this.#faq?.close();
    this.setNoteMode(draft.note);
    this.#id = id;
    this.#thread.clear();
    this.#pii.forget();
    this.#showTyping(false);
    for (const dialog of this.querySelectorAll('dialog[open]')) dialog.close();
    this.dataset.state = id ? 'loading' : 'empty';
    this.#renderHead();
    if (!id) return;
    try {
      const page = await this.#page(id, 0);
      if (this.#id !== id) return;
      for (const m of page.messages) this.#thread.add(m);
      this.#thread.earlier(page.earlier, (before) => this.#page(id, before));
      this.dataset.state = 'ready';
      this.#thread.scrollToEnd();
      this.#showReceipt();
      this.#reportRead();
    } catch (err) {
      if (this.#id === id) toast(locale.errorText(err));
    }
  }

  // #page reads a page of a conversation's messages from its end: the
  // last ones (before 0) or those before a seq (thread.js).
  async #page(id, before) {
    const { items, earlier } = await this.#inbox.request('GET', `/conversations/${id}/messages?before=${before}&limit=${MESSAGE_PAGE}`, undefined, { page: true });
    return { messages: items, earlier };
  }

  // #rerender redraws in a new language, messages included: every one
  // shown, however many pages the agent read.
  #rerender() {
    this.#renderHead();
    this.#thread.redraw();
  }

  #renderHead() {
    const inbox = this.#inbox;
    const c = this.#current;
    const reason = c ? this.#cannotSend(c) : t('conv.loading');
    const open = Boolean(c) && c.state !== 'closed';
    const left = Boolean(c?.customer_left_at) && open;
    const manage = Boolean(c) && inbox.canManage(c);
    const blocked = Boolean(inbox?.customer?.blocked_at);
    const name = this.#ref('name');
    name.textContent = customerName(c);
    name.title = name.textContent;
    this.#ref('avatar').replaceChildren(...(c ? [customerAvatar(c)] : []));
    // Messages already shown carry the customer's name too (and were
    // drawn without it when they came before the conversation).
    if (c) {
      for (const who of this.#ref('thread').querySelectorAll('li.msg.visitor > .who, li.msg.visitor > .sender')) {
        if (who.matches('.sender') && who.querySelector('.who').textContent === name.textContent) continue;
        who.replaceWith(h('span', { class: 'sender' }, customerAvatar(c), h('span', { class: 'who' }, name.textContent)));
      }
    }
    this.#ref('sub').replaceChildren(...(c ? [
      h('span', {}, t('conv.room', { no: c.room_no })),
      h('span', { class: 'chip', dataset: { state: c.state, testid: 'conversation-state' } }, t('state.' + c.state)),
      c.on_hold && h('span', { class: 'chip hold', dataset: { testid: 'conversation-hold' } }, t('flag.hold')),
      c.assignee_name && h('span', {}, c.assignee_name),
    ].filter(Boolean) : []));
    this.dataset.onHold = String(Boolean(c?.on_hold));
    this.dataset.customerLeft = String(left);

    // An agent may take a chat over from the robot in any assignment mode.
    const assign = this.#ref('assign');
    const takeover = c?.state === 'bot';
    assign.hidden = !takeover && (c?.state !== 'unassigned' || inbox.settings.assignment_mode === 'auto');
    assign.dataset.i18n = takeover ? 'conv.take_over' : 'conv.assign';
    assign.textContent = t(assign.dataset.i18n);
    this.#ref('close').hidden = !open || !(c.assignee_id === inbox.agentId || inbox.seesAll);

    const important = this.#ref('important');
    important.hidden = !open || !manage;
    important.setAttribute('aria-pressed', String(Boolean(c?.important)));
    this.#label(important, c?.important ? 'conv.unmark_important' : 'conv.mark_important');

    const hold = this.#ref('hold');
    hold.hidden = !open || !manage || left || !(c.state === 'active' || c.on_hold);
    hold.setAttribute('aria-pressed', String(Boolean(c?.on_hold)));
    this.#label(hold, c?.on_hold ? 'conv.unhold' : 'conv.hold');

    this.#ref('transfer').hidden = !open || !manage || left || !['unassigned', 'waiting', 'active'].includes(c.state);
    this.#label(this.#ref('transfer'), 'conv.transfer');
    this.#ref('block').hidden = !c || !(c.assignee_id === inbox.agentId || inbox.seesAll) || blocked;
    this.#label(this.#ref('block'), 'conv.block');

    this.#renderAgentTools(c, open && manage && !left);
    this.#ref('wrapup').hidden = !left;
    // A note may be written wherever the conversation can be read.
    const cannot = Boolean(reason) && !(this.#note && c);
    this.#input.disabled = cannot;
    this.#ref('send').disabled = cannot;
    this.#ref('attach').disabled = Boolean(reason) || this.#note;
    this.#ref('note-toggle').disabled = !c;
    this.#ref('reason').textContent = this.#note ? '' : reason;
    this.#ref('reason').dataset.reason = c ? this.#reasonCode(c) : 'loading';
  }

  // #label names an icon button: a visible label (hidden on narrow panes),
  // a tooltip and the accessible name.
  #label(button, key) {
    const text = t(key);
    button.querySelector('.label').textContent = text;
    button.title = text;
  }

  // #reasonCode is why the agent may not reply, or "" when they may. The
  // server enforces the same rules (chat.Next), though it checks a stopped
  // operation first; here the reason closest to the conversation wins.
  #reasonCode(c) {
    const inbox = this.#inbox;
    if (c.state === 'closed') return 'closed';
    if (c.state === 'bot') return 'bot';
    if (c.state === 'unassigned') return 'unassigned';
    if (c.assignee_id !== inbox.agentId) return 'other';
    if (c.customer_left_at) return 'customer_left';
    if (c.on_hold) return 'on_hold';
    if (inbox.settings.operation_stopped) return 'operation_stopped';
    return '';
  }

  #cannotSend(c) {
    const code = this.#reasonCode(c);
    if (!code) return '';
    if (code === 'unassigned' && this.#inbox.settings.assignment_mode === 'auto') return t('composer.unassigned_auto');
    return t('composer.' + code, { name: c.assignee_name });
  }

  // #act posts a conversation action and shows the conversation it
  // returns; a refusal also reloads what the refusal says is stale.
  async #act(action, button = this.#ref(action), body) {
    const id = this.#id;
    button.disabled = true;
    try {
      this.#inbox.upsert(await this.#inbox.request('POST', `/conversations/${id}/${action}`, body));
      if (action === 'assign' && this.#id === id) this.#input.focus();
    } catch (err) {
      // The code's own sentence is about a colleague chosen for a
      // transfer ("that agent"); here it is the one taking.
      toast(action === 'assign' && err.code === 'too_many_waiting' ? t('conv.assign_too_many') : locale.errorText(err));
      this.#stale(err);
    } finally {
      button.disabled = false;
    }
  }

  #openWrapUp() {
    const c = this.#current;
    if (c) this.#wrapup.open(this.#inbox, c);
  }

  #stale(err) {
    if (!staleCodes.has(err.code)) return;
    if (err.code === 'operation_stopped' || err.code === 'auto_assign_only') this.#inbox.loadWorkspace().catch(() => {});
    this.#inbox.reloadOpen().catch(() => {});
  }

  #openTransfer() {
    const form = this.#ref('transfer-form');
    form.reset();
    this.#ref('transfer-error').replaceChildren();
    this.#fillTransferAgents();
    this.#ref('transfer-dialog').showModal();
    this.#inbox.loadMembers().catch(() => {});
  }

  // #fillTransferAgents lists the workspace's agents with their status,
  // those who can take the chat first. Only online agents receive a
  // transfer (§3.1): the current assignee and agents away or offline
  // cannot be chosen, but oneself while away can, as a take. While the
  // dialog is open a redraw keeps every row where it was: a status that
  // changes must not move another agent under the pointer.
  #fillTransferAgents() {
    const c = this.#current;
    const box = this.#ref('transfer-agents');
    const chosen = box.querySelector('input:checked')?.value;
    const order = { online: 0, away: 1, offline: 2 };
    const members = this.#inbox.activeMembers
      .sort((a, b) => order[a.status] - order[b.status] || a.name.localeCompare(b.name, locale.lang));
    if (this.#ref('transfer-dialog').open) {
      const shown = new Map([...box.children].map((el, i) => [el.dataset.agentId, i]));
      const place = (m) => shown.get(String(m.agent_id)) ?? shown.size; // new agents last
      members.sort((a, b) => place(a) - place(b));
    }
    const receives = (m) => m.agent_id !== c?.assignee_id &&
      (m.status === 'online' || (m.status === 'away' && m.agent_id === this.#inbox.agentId));
    box.replaceChildren(...members.map((m) => {
      const current = m.agent_id === c?.assignee_id;
      const disabled = !receives(m);
      return h('label', { class: 'agent-choice', dataset: { agentId: m.agent_id, status: m.status } },
        h('input', {
          type: 'radio', name: 'agent', value: m.agent_id, required: true, disabled,
          checked: !disabled && String(m.agent_id) === chosen,
          dataset: { testid: 'transfer-agent' },
        }),
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('span', { class: 'agent-name' }, m.name, m.agent_id === this.#inbox.agentId && h('span', { class: 'note' }, ' ' + t('transfer.me'))),
        h('span', { class: 'agent-status' }, current ? t('transfer.current') : statusText(m.status)));
    }));
    this.#ref('transfer-none').hidden = members.some(receives);
  }

  async #transfer(e) {
    e.preventDefault();
    const form = e.target;
    const agentID = Number(new FormData(form).get('agent'));
    if (!agentID) return;
    const id = this.#id;
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    try {
      const c = await this.#inbox.request('POST', `/conversations/${id}/transfer`, { agent_id: agentID, reason: form.elements.reason.value.trim() });
      this.#inbox.upsert(c);
      this.#ref('transfer-dialog').close();
      toast(t('transfer.done', { name: c.assignee_name }));
    } catch (err) {
      formError(this.#ref('transfer-error'), err);
      // The code's own sentence asks the reader to come online; here it is
      // the chosen agent who is not.
      if (err.code === 'agent_not_online') this.#ref('transfer-error').textContent = t('transfer.not_online');
      // Likewise a colleague deactivated since the list was drawn (were
      // it this agent, the console would say so instead: app.js).
      if (err.code === 'member_inactive') this.#ref('transfer-error').textContent = t('transfer.inactive');
      this.#stale(err);
      if (['agent_not_online', 'too_many_waiting', 'member_inactive'].includes(err.code)) this.#inbox.loadMembers().catch(() => {});
    } finally {
      submit.disabled = false;
    }
  }

  #openBlock() {
    this.#ref('block-form').reset();
    this.#ref('block-error').replaceChildren();
    this.#ref('block-dialog').showModal();
  }

  async #block(e) {
    e.preventDefault();
    const form = e.target;
    const data = new FormData(form);
    const id = this.#id;
    const submit = form.querySelector('[type=submit]');
    submit.disabled = true;
    try {
      const customer = await this.#inbox.request('POST', `/conversations/${id}/block`, {
        reason: data.get('reason'), note: String(data.get('note') ?? '').trim(),
      });
      this.#ref('block-dialog').close();
      if (this.#id === id) this.#inbox.setCustomer(customer);
      this.#inbox.reloadOpen().catch(() => {});
      toast(t('block.done'));
    } catch (err) {
      formError(this.#ref('block-error'), err);
    } finally {
      submit.disabled = false;
    }
  }

  // #bindAgentTools wires the composer's "#" canned responses and the
  // rating request button.
  #bindAgentTools() {
    this.#canned = bindCanned(this.#ref('composer'), (q) => {
      const query = new URLSearchParams({ q, conversation_id: this.#id });
      return this.#inbox.request('GET', `/canned?${query}`);
    });
    this.#faq = bindFAQ(this.#ref('composer'), (method, path) => this.#inbox.request(method, path));
    this.#ref('rating-request').addEventListener('click', () => this.#requestRating());
  }

  // The rating request is offered to whoever may manage the conversation
  // while it is open, not on hold and not yet rated; the server also wants
  // an agent's reply first (409 not_replied).
  #renderAgentTools(c, can) {
    const button = this.#ref('rating-request');
    button.hidden = !can || c.on_hold || Boolean(c.rating);
    this.#label(button, 'conv.rating_request');
  }

  async #requestRating() {
    const id = this.#id;
    const button = this.#ref('rating-request');
    button.disabled = true;
    try {
      const msg = await this.#inbox.request('POST', `/conversations/${id}/rating-request`);
      if (this.#id === id) this.#thread.add(msg);
      toast(t('conv.rating_requested'));
    } catch (err) {
      toast(locale.errorText(err));
      this.#stale(err);
    } finally {
      button.disabled = false;
    }
  }

  // #guardedSend asks before sending what looks like a full registration
  // or card number (§11); a cancelled send goes back into the composer.
  async #guardedSend(text) {
    const id = this.#id;
    if (await this.#pii.confirmSend(text)) {
      if (this.#id === id) this.#send(text);
      return;
    }
    if (this.#id === id && !this.#input.value) {
      this.#input.value = text;
      this.#keepDraft();
    }
    this.#input.focus();
  }

  // #send shows the reply at once and posts it, retrying with the same
  // client_msg_id while the network is down, so it is stored exactly once.
  async #send(text) {
    const id = this.#id;
    const clientMsgID = newClientMsgID();
    const prefixed = noteText(text);
    const internal = this.#note || prefixed !== null;
    const body = prefixed ?? text;
    if (internal && !body.trim()) return;
    const draft = { sender_type: 'agent', sender_name: this.#inbox.agentName, body, internal };
    this.#thread.addPending(clientMsgID, draft);
    try {
      const msg = await retry(
        () => this.#inbox.request('POST', `/conversations/${id}/messages`, { client_msg_id: clientMsgID, body, internal }),
        () => this.#id === id && this.#thread.mark(clientMsgID, 'retrying'),
      );
      if (this.#id === id) this.#thread.add(msg);
    } catch (err) {
      if (this.#id === id) this.#thread.mark(clientMsgID, 'failed', locale.errorText(err));
      else toast(locale.errorText(err));
      this.#stale(err);
    }
  }

  // #sendFile checks a file against the workspace's rules, shows it with
  // its progress and uploads it; a network failure is retried a few times
  // with the same client_msg_id, so the file is stored once.
  async #sendFile(file) {
    const problem = fileProblem(file, this.#inbox.settings.attachments);
    if (problem) {
      toast(fileProblemText(problem, file, this.#inbox.settings.attachments));
      return;
    }
    const id = this.#id;
    const clientMsgID = newClientMsgID();
    const draft = { sender_type: 'agent', sender_name: this.#inbox.agentName, kind: 'file', body: file.name, file: { name: file.name, size: file.size } };
    this.#thread.addPending(clientMsgID, draft);
    try {
      const msg = await retry(
        () => this.#inbox.upload(`/conversations/${id}/files`, {
          file, clientMsgID,
          onProgress: (p) => {
            draft.file.progress = p;
            setProgress(this.#thread.draftElement(clientMsgID), p);
          },
        }),
        () => this.#id === id && this.#thread.mark(clientMsgID, 'retrying'),
        3,
      );
      if (this.#id === id) this.#thread.add(msg);
    } catch (err) {
      if (this.#id === id) this.#thread.mark(clientMsgID, 'failed', locale.errorText(err));
      else toast(locale.errorText(err));
      this.#stale(err);
    }
  }

  #renderMessage(m, status, error) {
    if (m.sender_type === 'system') return this.#renderSystem(m);
    if (m.internal) return renderNote(m, status, error, this.#inbox);
    const byAgent = m.sender_type === 'agent';
    const c = this.#current;
    const who = byAgent ? m.sender_name || t('msg.agent') : customerName(c) || t('msg.visitor');
    const date = new Date(m.created_at);
    const meta = status
      ? h('span', { class: 'meta', role: status === 'failed' ? 'alert' : null }, t('msg.' + status, { error }))
      : h('time', { class: 'meta', datetime: m.created_at, title: exactTime(date) }, clockTime(date));
    let content = m.id && !status && m.kind !== 'file' ? this.#pii.bubble(m) : h('p', { class: 'bubble' }, m.body);
    if (m.kind === 'file') {
      content = m.attachment
        ? attachmentView(m.attachment, locale.lang, { open: t('file.open'), download: t('file.download') }, (m.id && this.#pii.fileName(m)) || {})
        : draftView(m.file, locale.lang, t('file.progress'), status);
    }
    return h('li', { class: byAgent ? 'msg agent' : 'msg visitor', dataset: { kind: m.kind ?? 'text' } },
      byAgent || !c ? h('span', { class: 'who' }, who) : h('span', { class: 'sender' }, customerAvatar(c), h('span', { class: 'who' }, who)),
      content,
      // The time's line also takes the read receipt (notes.js), so that
      // a receipt coming or going moves nothing.
      h('span', { class: 'meta-line' }, meta));
  }

  // #renderSystem shows a conversation event as a centred line; the
  // transfer's reason (typed by an agent) follows as text.
  #renderSystem(m) {
    const meta = m.meta ?? {};
    const date = new Date(m.created_at);
    return h('li', { class: 'msg system', dataset: m.internal ? { code: m.body, internal: 'true' } : { code: m.body } },
      h('span', { class: 'event-line' },
        h('span', { class: 'event' }, systemText(m, this.#current)),
        h('time', { class: 'event-time', datetime: m.created_at, title: exactTime(date) }, clockTime(date)),
        m.internal && h('span', { class: 'internal-tag' }, t('system.internal'))),
      m.body === 'transferred' && meta.reason && h('span', { class: 'event-reason' }, t('system.reason', { reason: meta.reason })),
      (m.body === 'greeting' || m.body === 'rating_requested') && meta.text && h('span', { class: 'event-reason' }, meta.text),
      m.body === 'rated' && meta.comment && h('span', { class: 'event-reason', dataset: { testid: 'rated-comment' } }, meta.comment),
      m.body === 'robot' && robotArticles(meta).length > 0 && h('ul', { class: 'robot-articles', dataset: { testid: 'robot-articles' } },
        robotArticles(meta).map((a) => h('li', {}, h('a', { href: a.url, target: '_blank', rel: 'noopener' }, a.title)))));
  }

  // Drafts: what the agent typed and has not sent, per conversation, with
  // whether it is a note — so that a note comes back a note, and Enter
  // never sends it to the customer — kept in sessionStorage, so switching
  // conversations or reloading the tab loses nothing.
  get #draftKey() {
    return `sodam.composer.${this.#inbox?.workspaceId}.${this.#inbox?.agentId}`;
  }

  #drafts() {
    try {
      return JSON.parse(sessionStorage.getItem(this.#draftKey)) ?? {};
    } catch {
      return {};
    }
  }

  #draft(id) {
    const d = id && this.#inbox ? this.#drafts()[id] : null;
    return { text: typeof d?.text === 'string' ? d.text : '', note: d?.note === true };
  }

  // #keepDraft records the open conversation's composer as it is now.
  #keepDraft() {
    if (!this.#id || !this.#inbox) return;
    const all = this.#drafts();
    const text = this.#input.value;
    if (text.trim()) all[this.#id] = { text, note: this.#note };
    else delete all[this.#id];
    try {
      sessionStorage.setItem(this.#draftKey, JSON.stringify(all));
    } catch {
      // Private modes may refuse: the draft lives as long as the composer.
    }
  }

  // #tellTyping tells the customer the agent is typing a reply — never a
  // note, which the customer does not see: not in note mode, nor while a
  // "/note " or "/메모 " prefix (or any "/word") is being typed. A signal
  // withheld is no signal; one given is taken back when it stops holding.
  #tellTyping(on) {
    const value = this.#input.value;
    const reply = on && this.#id && !this.#note && noteText(value) === null && !/^\s*\/\S*$/.test(value);
    if (reply) {
      this.#typingTold = this.#id;
      this.#inbox?.sendTyping(this.#id, true);
    } else if (this.#typingTold) {
      this.#inbox?.sendTyping(this.#typingTold, false);
      this.#typingTold = 0;
    }
  }

  // setNoteMode switches the composer between a reply to the customer and
  // an internal note for the team (Alt+N, the note button, "/note ").
  setNoteMode(on) {
    this.#note = on;
    if (on) this.#tellTyping(false);
    const form = this.#ref('composer');
    form.classList.toggle('note-mode', on);
    form.dataset.mode = on ? 'note' : 'reply';
    this.#ref('note-toggle').setAttribute('aria-pressed', String(on));
    this.#input.placeholder = t(on ? 'note.placeholder' : 'composer.placeholder');
    this.#input.setAttribute('aria-label', this.#input.placeholder);
    const prefixed = noteText(this.#input.value);
    if (on && prefixed !== null) this.#input.value = prefixed;
    this.#keepDraft();
    if (this.#inbox) this.#renderHead();
  }

  // #showReceipt marks the last reply the customer has read ("읽음").
  #showReceipt() {
    showReceipt(this.#ref('thread'), this.#current?.visitor_read_seq ?? 0);
  }

  // #reportRead tells the server how far the assigned agent has read, while
  // the conversation is on screen: the customer sees it as a receipt.
  #reportRead() {
    clearTimeout(this.#readTimer);
    this.#readTimer = setTimeout(() => {
      const c = this.#current;
      const seq = this.#thread.lastSeq;
      if (!c || this.dataset.state !== 'ready' || document.visibilityState !== 'visible' || c.assignee_id !== this.#inbox.agentId ||
        seq <= (c.agent_read_seq ?? 0)) return;
      this.#inbox.request('POST', `/conversations/${c.id}/read`, { seq }).then((marks) => {
        const cur = this.#inbox.conversations.get(c.id);
        if (cur) this.#inbox.upsert({ ...cur, agent_read_seq: marks.agent_read_seq, visitor_read_seq: marks.visitor_read_seq });
      }).catch(() => {});
    }, 300);
  }

  // The indicator hides by itself if the "stopped typing" frame is lost.
  #showTyping(on) {
    clearTimeout(this.#typingTimer);
    this.#ref('typing').hidden = !on;
    if (on) this.#typingTimer = setTimeout(() => this.#showTyping(false), typingTimeout);
  }
}

// fileProblemText says why a file cannot be sent, before it is.
export function fileProblemText(code, file, rules) {
  if (code === 'file_too_large') return t('file.too_large', { name: file.name, max: rules.max_size_mb });
  if (code === 'file_type_not_allowed') return t('file.not_allowed', { name: file.name });
  return locale.errorText({ code });
}

// robotArticles are the articles of a robot answer (meta.articles, JSON).
function robotArticles(meta) {
  try {
    const list = JSON.parse(meta.articles || '[]');
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

// systemText is a system message's event in words. Messages stored before
// system codes existed, or codes this console does not know, show as sent.
// c, the conversation when known, words the robot's close of one whose
// customer asked in vain for a person (closeReasonText).
export function systemText(m, c) {
  const meta = m.meta ?? {};
  const agent = meta.agent || t('msg.agent');
  switch (m.body) {
    case 'robot':
      return t('system.robot.' + (['welcome', 'answered', 'no_answer', 'no_agent'].includes(meta.outcome) ? meta.outcome : 'answered'), { robot: meta.robot || 'robot' });
    case 'handover':
      return t('system.handover', { robot: meta.robot || 'robot' });
    case 'assigned':
      return t('system.assigned', { agent });
    case 'transferred':
      return meta.from ? t('system.transferred', { from: meta.from, to: meta.to }) : t('system.transferred_to', { to: meta.to });
    case 'held':
      return t('system.held', { agent });
    case 'unheld':
      return t('system.unheld', { agent });
    case 'returned':
      return t('system.returned', { agent });
    case 'customer_left':
      return t('system.customer_left');
    case 'closed':
      return meta.reason ? t('system.closed_reason', { reason: closeReasonText(meta.reason, c) }) : t('system.closed');
    case 'greeting':
      return t('system.greeting');
    case 'rating_requested':
      return t('system.rating_requested');
    case 'rated':
      return t('system.rated', { stars: stars(meta.score), score: meta.score });
    case 'away':
      return t('system.away.' + (['outside_hours', 'operation_stopped', 'nobody_online'].includes(meta.reason) ? meta.reason : 'nobody_online'));
  }
  return m.body;
}

customElements.define('sodam-conversation', ConversationView);
