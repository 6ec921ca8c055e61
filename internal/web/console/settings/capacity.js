// <sodam-settings-capacity> is each agent's capacity, with the live
// status; an empty capacity means the workspace's default, shown as the
// placeholder. It follows the agents and the workspace as they change.
import { h } from '../../shared/dom.js';
import { label, locale, statusText, t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

class CapacityCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="capacity.heading"></h2>
<p class="help" data-i18n="capacity.help"></p>
<div class="table-wrap">
  <table class="table capacity-table" data-testid="capacity-table">
    <thead>
      <tr><th scope="col" data-i18n="capacity.agent"></th><th scope="col" data-i18n="capacity.role"></th><th scope="col" data-i18n="capacity.status"></th><th scope="col" data-i18n="capacity.capacity"></th><th scope="col"><span class="sr-only" data-i18n="capacity.save"></span></th></tr>
    </thead>
    <tbody data-ref="capacity-rows"></tbody>
  </table>
</div>`);

  relabel() {
    this.#render();
  }

  attach(inbox) {
    super.attach(inbox);
    inbox.addEventListener('members', () => this.#render());
    // The default capacity, the placeholder, is a workspace setting.
    inbox.addEventListener('workspace', () => this.#render());
  }

  show(inbox) {
    super.show(inbox);
    this.#render();
  }

  #render() {
    const inbox = this.inbox;
    const body = this.ref('capacity-rows');
    if (!inbox) return;
    const editable = inbox.seesAll;
    const fallback = inbox.settings.default_capacity ?? '';
    const members = inbox.activeMembers.sort((a, b) => a.name.localeCompare(b.name, locale.lang));
    const rows = new Map([...body.children].map((tr) => [Number(tr.dataset.agentId), tr]));
    body.replaceChildren(...members.map((m) => {
      let tr = rows.get(m.agent_id);
      if (!tr) {
        tr = h('tr', { dataset: { agentId: m.agent_id, testid: 'capacity-row' } },
          h('th', { scope: 'row' }, h('span', { class: 'agent-name' }), h('small', { class: 'note' })),
          h('td', { dataset: { field: 'role' } }),
          h('td', { dataset: { field: 'status' } }),
          h('td', {}, h('input', {
            type: 'number', min: 0, max: 100, inputmode: 'numeric', class: 'capacity-input',
            dataset: { testid: 'capacity-input' },
            oninput: (e) => { e.target.dataset.dirty = 'true'; },
          })),
          h('td', {}, h('button', { type: 'button', class: 'secondary', dataset: { testid: 'capacity-save' } })));
        tr.querySelector('button').addEventListener('click', () => this.#save(tr));
      }
      tr.querySelector('.agent-name').textContent = m.name;
      tr.querySelector('.note').textContent = m.email;
      tr.querySelector('[data-field=role]').textContent = label('role.', m.role);
      tr.querySelector('[data-field=status]').replaceChildren(
        h('span', { class: 'status-dot', dataset: { status: m.status }, 'aria-hidden': 'true' }), statusText(m.status));
      const input = tr.querySelector('input');
      input.disabled = !editable;
      input.placeholder = t('capacity.default', { n: fallback });
      input.setAttribute('aria-label', `${t('capacity.capacity')} · ${m.name}`);
      if (!input.dataset.dirty && document.activeElement !== input) input.value = m.capacity ?? '';
      const button = tr.querySelector('button');
      button.textContent = t('capacity.save');
      button.hidden = !editable;
      return tr;
    }));
  }

  async #save(tr) {
    const id = Number(tr.dataset.agentId);
    const input = tr.querySelector('input');
    const button = tr.querySelector('button');
    if (!input.reportValidity()) return;
    const raw = input.value.trim();
    button.disabled = true;
    try {
      const m = await this.inbox.request('PUT', `/agents/${id}/capacity`, { capacity: raw === '' ? null : Number(raw) });
      delete input.dataset.dirty;
      input.value = m.capacity ?? '';
      this.inbox.setMember(m);
      toast(t('capacity.saved', { name: m.name }));
    } catch (err) {
      const detail = err.code === 'invalid_input' ? ` (${err.message})` : '';
      toast(locale.errorText(err) + detail);
    } finally {
      button.disabled = false;
    }
  }
}

customElements.define('sodam-settings-capacity', CapacityCard);
