// <sodam-workspaces> is the installation owners' page (§0): every
// workspace of the installation, archived ones marked, to create (the
// owner becomes its master), rename, archive and restore; and the agents
// who are owners, to grant or withdraw ownership. A new workspace joins
// the list pane's workspace picker at once.
import { h } from '../shared/dom.js';
import { call } from './api.js';
import { exactTime, formError, label, locale, t } from './i18n.js';
import { isActive, session } from './session.js';
import { ask, editInline, iconButton } from './settings/card.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const markup = template(`
<h1 data-i18n="workspaces.heading"></h1>
<p class="help" data-i18n="workspaces.help"></p>
<form class="card" data-ref="create" data-testid="workspace-create-form" novalidate>
  <h2 data-i18n="workspaces.new"></h2>
  <div class="form-row">
    <label>
      <span data-i18n="workspaces.name"></span>
      <input name="name" required maxlength="100" autocomplete="off" data-testid="workspace-create-name">
    </label>
    <label>
      <span data-i18n="workspaces.site_id"></span>
      <input name="site_id" minlength="3" maxlength="32" autocomplete="off" spellcheck="false" pattern="[a-z0-9][a-z0-9\\-]{2,31}" data-i18n-attr="placeholder:workspaces.site_id_auto" data-testid="workspace-create-site">
    </label>
  </div>
  <small class="help" data-i18n="workspaces.site_id_help"></small>
  <p class="form-error" role="alert" data-ref="create-error" data-testid="workspace-create-error"></p>
  <button type="submit" name="submit" class="primary" data-i18n="workspaces.create" data-testid="workspace-create"></button>
</form>
<section class="card">
  <h2 data-i18n="workspaces.all"></h2>
  <ul class="workspace-list" data-ref="list" data-testid="workspace-list"></ul>
  <p class="form-error" role="alert" data-ref="list-error" data-testid="workspace-error"></p>
</section>
<section class="card">
  <h2 data-i18n="owners.heading"></h2>
  <p class="help" data-i18n="owners.help"></p>
  <ul class="owner-list" data-ref="owners" data-testid="owner-list"></ul>
</section>`);

class Workspaces extends HTMLElement {
  #workspaces = [];
  #agents = [];
  #current = 0;
  #loads = 0;

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    this.#ref('create').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#create();
    });
    locale.addEventListener('change', () => this.#render());
  }

  #ref(name) {
    return this.querySelector(`[data-ref="${name}"]`);
  }

  // show reloads the lists; inbox is the workspace open now (none when
  // the agent was deactivated in it), which needs no "open" button.
  show(inbox) {
    this.#current = inbox?.workspaceId ?? 0;
    this.#ref('create-error').replaceChildren();
    this.#ref('list-error').replaceChildren();
    this.#load();
  }

  async #load() {
    const n = ++this.#loads;
    try {
      const [{ workspaces }, { agents }] = await Promise.all([call('GET', '/workspaces'), call('GET', '/agents')]);
      if (n !== this.#loads) return; // a later load answers
      this.#workspaces = workspaces ?? [];
      this.#agents = agents ?? [];
    } catch (err) {
      toast(locale.errorText(err));
    }
    this.#render();
  }

  #render() {
    if (!this.firstElementChild) return;
    const sorted = [...this.#workspaces].sort((a, b) => Number(Boolean(a.archived_at)) - Number(Boolean(b.archived_at)) || a.id - b.id);
    this.#ref('list').replaceChildren(...sorted.map((w) => this.#item(w)));
    const agents = [...this.#agents].sort((a, b) => Number(b.owner) - Number(a.owner) || a.name.localeCompare(b.name, locale.lang));
    this.#ref('owners').replaceChildren(...agents.map((a) => this.#owner(a)));
  }

  #item(w) {
    const m = session.membership(w.id);
    const archived = Boolean(w.archived_at);
    const li = h('li', { dataset: { workspaceId: w.id, archived: String(archived), testid: 'workspace-row' } });
    const name = h('div', { class: 'workspace-title' },
      h('strong', { class: 'workspace-row-name', dataset: { field: 'name' } }, w.name),
      h('code', { class: 'note', dataset: { field: 'site-id' } }, w.site_id),
      archived && h('span', { class: 'chip archived', dataset: { testid: 'workspace-archived' } }, t('workspaces.archived')),
      m && h('span', { class: 'chip' }, t('workspaces.your_role', { role: label('role.', m.role) })),
      w.id === this.#current && h('span', { class: 'chip current', dataset: { testid: 'workspace-current' } }, t('workspaces.current')));
    const facts = h('small', { class: 'note' }, archived
      ? t('workspaces.archived_at', { time: exactTime(new Date(w.archived_at)) })
      : t('workspaces.created_at', { time: exactTime(new Date(w.created_at)) }));
    const canOpen = !archived && isActive(m) && w.id !== this.#current;
    const actions = h('div', { class: 'row-actions' },
      canOpen && h('button', {
        type: 'button', class: 'secondary small', dataset: { testid: 'workspace-open' },
        onclick: () => dispatchEvent(new CustomEvent('sodam:open-workspace', { detail: w.id })),
      }, t('workspaces.open')),
      !archived && m && m.role !== 'agent' && iconButton('✎', t('tools.rename', { name: w.name }), 'workspace-rename', () => {
        editInline(li.querySelector('.workspace-title'), { value: w.name, maxLength: 100, label: t('workspaces.name'), prefix: 'workspace-rename' },
          (value) => this.#rename(w, value), () => this.#render());
      }),
      h('button', {
        type: 'button', class: archived ? 'secondary small' : 'secondary small warn',
        dataset: { testid: archived ? 'workspace-restore' : 'workspace-archive' },
        onclick: (e) => this.#archive(w, !archived, e.target),
      }, t(archived ? 'workspaces.restore' : 'workspaces.archive')));
    li.append(h('div', { class: 'workspace-main' }, name, facts), actions);
    return li;
  }

  #owner(a) {
    const me = a.id === session.agent?.id;
    return h('li', { dataset: { agentId: a.id, owner: String(Boolean(a.owner)), testid: 'owner-row' } },
      h('div', { class: 'owner-who' },
        h('strong', {}, a.name, me && h('span', { class: 'note' }, ' ' + t('transfer.me'))),
        h('small', { class: 'note' }, a.email)),
      a.owner && h('span', { class: 'chip owner' }, t('owners.owner')),
      h('button', {
        type: 'button', class: a.owner ? 'secondary small warn' : 'secondary small',
        dataset: { testid: a.owner ? 'owner-revoke' : 'owner-grant' },
        onclick: (e) => this.#setOwner(a, !a.owner, e.target),
      }, t(a.owner ? 'owners.revoke' : 'owners.grant')));
  }

  async #create() {
    const form = this.#ref('create');
    const f = form.elements;
    const box = this.#ref('create-error');
    box.replaceChildren();
    const name = f.name.value.trim();
    if (!name) {
      box.textContent = t('workspaces.name_required');
      f.name.focus();
      return;
    }
    f.submit.disabled = true;
    try {
      const site = f.site_id.value.trim();
      const w = await call('POST', '/workspaces', site ? { name, site_id: site } : { name });
      form.reset();
      toast(t('workspaces.created', { name: w.name }));
      // The owner is the new workspace's master: it joins the picker.
      await session.reload().catch(() => {});
      dispatchEvent(new Event('sodam:workspaces'));
      await this.#load();
    } catch (err) {
      formError(box, err);
    } finally {
      f.submit.disabled = false;
    }
  }

  async #rename(w, name) {
    try {
      await call('PATCH', `/workspaces/${w.id}`, { name });
      await this.#load();
      dispatchEvent(new Event('sodam:workspaces'));
    } catch (err) {
      formError(this.#ref('list-error'), err);
    }
  }

  async #archive(w, archived, button) {
    const question = t(archived ? 'workspaces.archive_confirm' : 'workspaces.restore_confirm', { name: w.name });
    if (!(await ask(question, t(archived ? 'workspaces.archive' : 'workspaces.restore')))) return;
    button.disabled = true;
    try {
      await call('POST', `/workspaces/${w.id}/archive`, { archived });
      toast(t(archived ? 'workspaces.archived_done' : 'workspaces.restored', { name: w.name }));
      // Reread rather than patch w: the list may have been reloaded since.
      await this.#load();
      dispatchEvent(new Event('sodam:workspaces'));
    } catch (err) {
      formError(this.#ref('list-error'), err);
      button.disabled = false;
    }
  }

  async #setOwner(a, owner, button) {
    const question = t(owner ? 'owners.grant_confirm' : 'owners.revoke_confirm', { name: a.name });
    if (!(await ask(question, t(owner ? 'owners.grant' : 'owners.revoke')))) return;
    button.disabled = true;
    try {
      await call('PUT', `/agents/${a.id}/owner`, { owner });
      toast(t(owner ? 'owners.granted' : 'owners.revoked', { name: a.name }));
      if (a.id === session.agent?.id) await session.reload().catch(() => {});
      await this.#load();
      if (!session.owner) location.hash = '#/';
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }
}

customElements.define('sodam-workspaces', Workspaces);
