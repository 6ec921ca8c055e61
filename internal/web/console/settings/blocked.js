// <sodam-settings-blocked> lists the blocked customers, latest first, each
// with "unblock". Managers and masters only: agents do not see the card.
import { h } from '../../shared/dom.js';
import { exactTime, label, locale, t } from '../i18n.js';
import { customerName } from '../names.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

class BlockedCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="blocked.heading"></h2>
<p class="help" data-i18n="blocked.help"></p>
<ul class="blocked-list" data-ref="blocked" data-testid="blocked-list"></ul>
<button type="button" class="secondary load-more" data-ref="blocked-more" data-i18n="list.more" data-testid="blocked-more" hidden></button>
<p class="help" data-ref="blocked-empty" data-i18n="blocked.empty" data-testid="blocked-empty"></p>`);

  relabel() {
    if (this.editable) this.load();
  }

  show(inbox) {
    super.show(inbox);
    this.hidden = !this.editable;
  }

  #customers = [];
  #next = ''; // the cursor of the next page

  // load shows the first page of blocked customers; with more, it adds
  // the next page.
  async load(more = false) {
    if (!this.editable) return;
    let page;
    try {
      page = await this.inbox.request('GET', '/blocked' + (more ? `?cursor=${encodeURIComponent(this.#next)}` : ''), undefined, { page: true });
    } catch (err) {
      toast(locale.errorText(err));
      return;
    }
    const customers = this.#customers = more ? [...this.#customers, ...page.items] : page.items;
    this.#next = page.next;
    const moreButton = this.ref('blocked-more');
    moreButton.hidden = !this.#next;
    moreButton.onclick = () => this.load(true);
    this.ref('blocked').replaceChildren(...customers.map((cu) => {
      const name = blockedName(cu);
      return h('li', { dataset: { customerId: cu.id, testid: 'blocked-customer' } },
        h('div', { class: 'blocked-who' },
          h('strong', {}, name),
          h('small', { class: 'note' }, cu.customer_id)),
        h('div', { class: 'blocked-why' },
          h('span', { class: 'chip' }, label('block_reason.', cu.block_reason)),
          cu.block_note && h('span', { class: 'blocked-note' }, cu.block_note),
          cu.blocked_at && h('small', { class: 'note' }, t('blocked.since', { time: exactTime(new Date(cu.blocked_at)) }))),
        h('button', {
          type: 'button', class: 'secondary', dataset: { testid: 'unblock-button' },
          onclick: (e) => this.#unblock(cu, e.target),
        }, t('blocked.unblock')));
    }));
    this.ref('blocked-empty').hidden = customers.length > 0;
  }

  async #unblock(cu, button) {
    button.disabled = true;
    try {
      await this.inbox.request('DELETE', `/blocked/${cu.id}`);
      toast(t('blocked.unblocked', { name: blockedName(cu) }));
      if (this.inbox.customer?.id === cu.id) this.inbox.reloadOpen().catch(() => {});
      await this.load();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }
}

// blockedName calls a customer what the conversation that blocked them
// did: the nickname, else the name, else "방문자 4821" for an anonymous
// visitor (names.js), never their random identifier.
function blockedName(cu) {
  return customerName({ customer_name: cu.nickname || cu.name, identifier: cu.identifier });
}

customElements.define('sodam-settings-blocked', BlockedCard);
