// <sodam-details> is the right-hand panel: the open conversation's facts
// (flags, agent path, how and whether it was handled) and the customer's
// profile with the extra parameters their site passed and whether they are
// blocked.
import { h } from '../widget/dom.js';
import { closeReasonText, exactTime, label, locale, t } from './i18n.js';
import { toast } from './toast.js';

class Details extends HTMLElement {
  #inbox = null;
  #id = 0;

  connectedCallback() {
    locale.addEventListener('change', () => this.#render());
  }

  attach(inbox) {
    this.#inbox = inbox;
    inbox.addEventListener('open', (e) => this.#load(e.detail));
    inbox.addEventListener('conversation', (e) => {
      if (e.detail.id !== this.#id) return;
      this.#render();
      // Blocked from elsewhere: the profile's status changed too.
      if (e.detail.close_reason === 'blocked' && inbox.customer && !inbox.customer.blocked_at) inbox.reloadOpen().catch(() => {});
    });
    inbox.addEventListener('customer', () => this.#render());
    this.#load(0);
  }

  async #load(id) {
    this.#id = id;
    this.#render();
    if (!id) return;
    try {
      await this.#inbox.reloadOpen();
    } catch (err) {
      if (this.#id === id) toast(locale.errorText(err));
    }
  }

  #render() {
    const c = this.#inbox?.conversations.get(this.#id);
    const cu = this.#id ? this.#inbox?.customer : null;
    this.dataset.state = this.#id ? 'open' : 'empty';
    const closed = c?.state === 'closed';
    const flags = c ? [c.important && t('flag.important'), c.on_hold && t('flag.hold')].filter(Boolean) : [];
    this.querySelector('[data-ref=conversation]').replaceChildren(...(c ? [
      row('room', t('conv.room', { no: c.room_no })),
      row('identifier', c.identifier),
      row('channel', label('channel.', c.channel)),
      row('state', t('state.' + c.state)),
      flags.length && row('flags', flags.join(' · ')),
      row('assignee', c.assignee_name || t('state.unassigned')),
      row('agent_path', agentPath(c.agent_path)),
      row('started', time(c.created_at)),
      c.first_reply_at && row('first_reply', time(c.first_reply_at)),
      c.customer_left_at && row('customer_left', time(c.customer_left_at)),
      c.closed_at && row('closed', time(c.closed_at)),
      c.close_reason && (closed || c.customer_left_at) && row('close_reason', closeReasonText(c.close_reason)),
      closed && row('processed', t(c.processed ? 'details.processed_yes' : 'details.processed_no')),
    ] : []).filter(Boolean).flat());
    const dd = this.querySelector('[data-field=processed]');
    if (dd) dd.dataset.processed = String(Boolean(c.processed));
    this.querySelector('[data-ref=customer]').replaceChildren(...(cu ? [
      row('customer_id', cu.customer_id, t(cu.verified ? 'details.verified' : 'details.anonymous')),
      row('name', cu.name),
      row('email', cu.email),
      row('phone', cu.phone),
      row('language', cu.language),
      cu.blocked_at && row('blocked', t('details.blocked_since', { time: exactTime(new Date(cu.blocked_at)) }),
        [label('block_reason.', cu.block_reason), cu.block_note].filter(Boolean).join(' · ')),
      ...Object.entries(cu.extra ?? {}).sort().map(([key, value]) => extraRow(key, value)),
    ] : []).filter(Boolean).flat());
  }
}

// agentPath shows who held the conversation, in order: "Kim > Lee".
function agentPath(path) {
  const names = (path ?? []).map((step) => step.name);
  return names.length ? names.join(' > ') : '';
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

function time(iso) {
  return h('time', { datetime: iso }, exactTime(new Date(iso)));
}

customElements.define('sodam-details', Details);
