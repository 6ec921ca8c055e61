// <sodam-conversation> is the open conversation: its header with the
// "assign to me" and "close" actions, the messages, the customer's typing
// indicator and the composer, which says why it is disabled when the agent
// may not reply.
import { bindComposer } from '../widget/composer.js';
import { h } from '../widget/dom.js';
import { newClientMsgID, retry } from '../widget/net.js';
import { Thread } from '../widget/thread.js';
import { clockTime, exactTime, locale, t } from './i18n.js';
import { toast } from './toast.js';

const typingTimeout = 6000;

class ConversationView extends HTMLElement {
  #inbox = null;
  #id = 0;
  #thread = null;
  #drafts = new Map(); // conversation id → unsent text
  #typingTimer = 0;

  connectedCallback() {
    this.#thread = new Thread(this.#ref('thread'), (m, status, error) => this.#renderMessage(m, status, error));
    bindComposer(this.#ref('composer'), {
      send: (text) => this.#send(text),
      typing: (on) => this.#inbox.sendTyping(this.#id, on),
    });
    this.#ref('assign').addEventListener('click', () => this.#act('assign'));
    this.#ref('close-yes').addEventListener('click', () => this.#act('close'));
    locale.addEventListener('change', () => this.#renderHead());
  }

  attach(inbox) {
    this.#inbox = inbox;
    inbox.addEventListener('open', (e) => this.#show(e.detail));
    inbox.addEventListener('conversation', (e) => {
      if (e.detail.id === this.#id) this.#renderHead();
    });
    inbox.addEventListener('message', (e) => {
      if (e.detail.conversation_id !== this.#id) return;
      this.#thread.add(e.detail);
      if (e.detail.sender_type === 'visitor') this.#showTyping(false);
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

  async #show(id) {
    if (this.#id) this.#drafts.set(this.#id, this.#input.value);
    this.#id = id;
    this.#input.value = this.#drafts.get(id) ?? '';
    this.#drafts.delete(id);
    this.#thread.clear();
    this.#showTyping(false);
    this.dataset.state = id ? 'loading' : 'empty';
    this.#renderHead();
    if (!id) return;
    try {
      const messages = await this.#inbox.request('GET', `/conversations/${id}/messages?after=0`);
      if (this.#id !== id) return;
      for (const m of messages) this.#thread.add(m);
      this.dataset.state = 'ready';
      this.#thread.scrollToEnd();
    } catch (err) {
      if (this.#id === id) toast(locale.errorText(err));
    }
  }

  #renderHead() {
    const c = this.#inbox?.conversations.get(this.#id);
    const reason = c ? this.#cannotSend(c) : t('conv.loading');
    this.#ref('name').textContent = c ? c.customer_name || c.identifier : '';
    this.#ref('sub').replaceChildren(...(c ? [
      h('span', {}, t('conv.room', { no: c.room_no })),
      h('span', { class: 'chip', dataset: { state: c.state, testid: 'conversation-state' } }, t('state.' + c.state)),
      c.assignee_name && h('span', {}, c.assignee_name),
    ].filter(Boolean) : []));
    this.#ref('assign').hidden = c?.state !== 'unassigned';
    this.#ref('close').hidden = !c || c.state === 'closed' || !(c.assignee_id === this.#inbox.agentId || this.#inbox.seesAll);
    this.#input.disabled = Boolean(reason);
    this.#ref('send').disabled = Boolean(reason);
    this.#ref('reason').textContent = reason;
  }

  // #cannotSend says why the agent may not reply, or "" when they may. The
  // server enforces the same rules (chat.Next).
  #cannotSend(c) {
    if (c.state === 'closed') return t('composer.closed');
    if (c.state === 'bot') return t('composer.bot');
    if (c.state === 'unassigned') return t('composer.unassigned');
    if (c.assignee_id !== this.#inbox.agentId) return t('composer.other', { name: c.assignee_name });
    return '';
  }

  async #act(action) {
    const id = this.#id;
    const button = this.#ref(action);
    this.#ref('close-dialog').hidePopover();
    button.disabled = true;
    try {
      this.#inbox.upsert(await this.#inbox.request('POST', `/conversations/${id}/${action}`));
      if (action === 'assign' && this.#id === id) this.#input.focus();
    } catch (err) {
      toast(locale.errorText(err));
    } finally {
      button.disabled = false;
    }
  }

  // #send shows the reply at once and posts it, retrying with the same
  // client_msg_id while the network is down, so it is stored exactly once.
  async #send(text) {
    const id = this.#id;
    const clientMsgID = newClientMsgID();
    const draft = { sender_type: 'agent', sender_name: this.#inbox.agentName, body: text };
    this.#thread.addPending(clientMsgID, draft);
    try {
      const msg = await retry(
        () => this.#inbox.request('POST', `/conversations/${id}/messages`, { client_msg_id: clientMsgID, body: text }),
        () => this.#id === id && this.#thread.mark(clientMsgID, 'retrying'),
      );
      if (this.#id === id) this.#thread.add(msg);
    } catch (err) {
      if (this.#id === id) this.#thread.mark(clientMsgID, 'failed', locale.errorText(err));
      else toast(locale.errorText(err));
    }
  }

  #renderMessage(m, status, error) {
    if (m.sender_type === 'system') return h('li', { class: 'msg system' }, m.body);
    const byAgent = m.sender_type === 'agent';
    const c = this.#inbox.conversations.get(this.#id);
    const who = byAgent ? m.sender_name || t('msg.agent') : c?.customer_name || c?.identifier || t('msg.visitor');
    const date = new Date(m.created_at);
    const meta = status
      ? h('span', { class: 'meta', role: status === 'failed' ? 'alert' : null }, t('msg.' + status, { error }))
      : h('time', { class: 'meta', datetime: m.created_at, title: exactTime(date) }, clockTime(date));
    return h('li', { class: byAgent ? 'msg agent' : 'msg visitor' },
      h('span', { class: 'who' }, who),
      h('p', { class: 'bubble' }, m.body),
      meta);
  }

  // The indicator hides by itself if the "stopped typing" frame is lost.
  #showTyping(on) {
    clearTimeout(this.#typingTimer);
    this.#ref('typing').hidden = !on;
    if (on) this.#typingTimer = setTimeout(() => this.#showTyping(false), typingTimeout);
  }
}

customElements.define('sodam-conversation', ConversationView);
