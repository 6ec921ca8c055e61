// <sodam-team> is the Team page (§0, §13): the workspace's members with
// their role, live status, capacity and whether they are active, and the
// invitations sent. Masters and managers see it; only masters act: invite
// by email, name and role (the link is shown to copy, and emailed when
// SMTP is set up), resend or revoke an invitation, change a role,
// deactivate or reactivate a member (each asked first), and make a
// one-time link for someone to choose a new password.
import { h } from '../shared/dom.js';
import { copyText } from './copy.js';
import { exactTime, formError, label, locale, statusText, t } from './i18n.js';
import { isActive } from './session.js';
import { ask } from './settings/card.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const roles = ['master', 'manager', 'agent'];
const rank = { master: 0, manager: 1, agent: 2 };

const markup = template(`
<header class="page-head">
  <h1 data-i18n="team.heading"></h1>
  <button type="button" class="primary" data-ref="invite" data-i18n="team.invite" data-testid="team-invite" hidden></button>
</header>
<p class="help" data-i18n="team.help"></p>
<p class="notice readonly-note" data-i18n="team.readonly" data-testid="team-readonly" hidden></p>
<section class="card" data-testid="team-members">
  <h2 data-i18n="team.members"></h2>
  <div class="table-wrap">
    <table class="table team-table" data-testid="team-table">
      <thead>
        <tr>
          <th scope="col" data-i18n="capacity.agent"></th>
          <th scope="col" data-i18n="capacity.role"></th>
          <th scope="col" data-i18n="capacity.status"></th>
          <th scope="col" data-i18n="capacity.capacity"></th>
          <th scope="col" data-i18n="team.state"></th>
          <th scope="col"><span class="sr-only" data-i18n="team.actions"></span></th>
        </tr>
      </thead>
      <tbody data-ref="members"></tbody>
    </table>
  </div>
</section>
<section class="card" data-testid="team-invitations">
  <div class="card-head">
    <h2 data-i18n="team.invitations"></h2>
    <label class="check"><input type="checkbox" data-ref="show-all" data-testid="invitation-show-all"><span data-i18n="team.show_all"></span></label>
  </div>
  <ul class="invitation-list" data-ref="invitations" data-testid="invitation-list"></ul>
  <button type="button" class="secondary load-more" data-ref="invitations-more" data-i18n="list.more" data-testid="invitations-more" hidden></button>
  <p class="help" data-ref="invitations-empty" data-testid="invitation-empty" hidden></p>
</section>

<dialog class="dialog form-dialog" data-ref="invite-dialog" aria-labelledby="invite-dialog-title" data-testid="invite-dialog">
  <form data-ref="invite-form" novalidate>
    <h2 id="invite-dialog-title" data-i18n="team.invite_title"></h2>
    <p class="help" data-i18n="team.invite_help"></p>
    <label>
      <span data-i18n="login.email"></span>
      <input type="email" name="email" required maxlength="254" autocomplete="off" spellcheck="false" data-testid="invite-dialog-email">
    </label>
    <label>
      <span data-i18n="invite.name"></span>
      <input name="name" required maxlength="100" autocomplete="off" data-testid="invite-dialog-name">
    </label>
    <label>
      <span data-i18n="capacity.role"></span>
      <select name="role" data-testid="invite-dialog-role">
        <option value="agent" data-i18n="role.agent"></option>
        <option value="manager" data-i18n="role.manager"></option>
        <option value="master" data-i18n="role.master"></option>
      </select>
      <small class="help" data-ref="role-help"></small>
    </label>
    <p class="form-error" role="alert" data-ref="invite-error" data-testid="invite-dialog-error"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-ref="invite-cancel" data-i18n="conv.cancel" data-testid="invite-dialog-cancel"></button>
      <button type="submit" name="submit" class="primary" data-i18n="team.invite_submit" data-testid="invite-dialog-submit"></button>
    </div>
  </form>
</dialog>

<dialog class="dialog form-dialog" data-ref="link-dialog" aria-labelledby="link-dialog-title" data-testid="link-dialog">
  <form method="dialog">
    <h2 id="link-dialog-title" data-ref="link-title" data-testid="link-title"></h2>
    <p data-ref="link-text" data-testid="link-text"></p>
    <div class="copy-box">
      <input readonly spellcheck="false" data-ref="link-url" data-i18n-attr="aria-label:team.link" data-testid="link-url">
      <button type="button" class="secondary" data-ref="link-copy" data-i18n="settings.copy" data-testid="link-copy"></button>
    </div>
    <p class="help" data-ref="link-emailed" data-testid="link-emailed"></p>
    <p class="help" data-ref="link-expires" data-testid="link-expires"></p>
    <div class="dialog-actions">
      <button value="done" class="primary" data-i18n="team.done" data-testid="link-done"></button>
    </div>
  </form>
</dialog>`);

class Team extends HTMLElement {
  #inbox = null;
  #invitations = [];
  #invitationsNext = ''; // the cursor of the next page of invitations
  #rows = new Map(); // agent id → <tr>
  #link = null; // what the link dialog shows, to redraw it in another language
  #known = new Set(); // the members' ids when the invitations were loaded

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    this.#ref('invite').addEventListener('click', () => this.#openInvite());
    this.#ref('invite-cancel').addEventListener('click', () => this.#ref('invite-dialog').close());
    this.#ref('invite-form').addEventListener('submit', (e) => this.#invite(e));
    this.#ref('invite-form').elements.role.addEventListener('change', () => this.#roleHelp());
    this.#ref('link-copy').addEventListener('click', () => copyText(this.#ref('link-url'), this.#ref('link-copy')));
    this.#ref('show-all').addEventListener('change', () => this.#loadInvitations());
    locale.addEventListener('change', () => {
      this.#rows.clear();
      this.#ref('members').replaceChildren();
      this.#render();
      this.#renderInvitations();
      this.#roleHelp();
      if (this.#link) this.#showLink(this.#link);
    });
  }

  #ref(name) {
    return this.querySelector(`[data-ref="${name}"]`);
  }

  // attach follows inbox's agents; it is called again when the agent
  // switches workspace.
  attach(inbox) {
    this.#inbox = inbox;
    this.#invitations = [];
    this.#rows.clear();
    this.#ref('members').replaceChildren();
    for (const dialog of this.querySelectorAll('dialog[open]')) dialog.close();
    inbox.addEventListener('members', () => {
      this.#render();
      // Someone new joined: an invitation was accepted.
      if ([...inbox.members.keys()].some((id) => !this.#known.has(id))) {
        this.#known = new Set(inbox.members.keys());
        if (this.checkVisibility() && this.#master) this.#loadInvitations();
      }
    });
    inbox.addEventListener('workspace', () => this.#render());
  }

  get #master() {
    return Boolean(this.#inbox?.isMaster);
  }

  // show reloads the members and the invitations each time the page opens.
  show(inbox) {
    this.#inbox = inbox;
    this.#ref('invite').hidden = !this.#master;
    this.querySelector('.readonly-note').hidden = this.#master;
    // Invitations are the masters' business (the API shows them to no one
    // else).
    this.querySelector('[data-testid=team-invitations]').hidden = !this.#master;
    this.#render();
    inbox.loadMembers().catch((err) => toast(locale.errorText(err)));
    if (this.#master) this.#loadInvitations();
  }

  // #loadInvitations loads the newest invitations the list shows, or with
  // more the page after those loaded.
  async #loadInvitations(more = false) {
    const inbox = this.#inbox;
    this.#known = new Set(inbox.members.keys());
    try {
      // The open ones (pending or expired) unless the master asks for all.
      const query = new URLSearchParams({ status: this.#ref('show-all').checked ? 'all' : 'open' });
      if (more) query.set('cursor', this.#invitationsNext);
      const { invitations, next_cursor: next } = await inbox.request('GET', `/invitations?${query}`);
      if (inbox !== this.#inbox) return;
      this.#invitations = more ? [...this.#invitations, ...invitations] : invitations;
      this.#invitationsNext = next;
    } catch (err) {
      if (!more) this.#invitations = [];
      toast(locale.errorText(err));
    }
    const button = this.#ref('invitations-more');
    button.hidden = !this.#invitationsNext;
    button.onclick = () => this.#loadInvitations(true);
    this.#renderInvitations();
  }

  // #render draws one row per member: the active ones first, masters
  // before managers before agents, then by name.
  #render() {
    const inbox = this.#inbox;
    if (!inbox || !this.firstElementChild) return;
    const members = [...inbox.members.values()].sort((a, b) =>
      Number(isActive(b)) - Number(isActive(a)) || rank[a.role] - rank[b.role] || a.name.localeCompare(b.name, locale.lang));
    const body = this.#ref('members');
    const keep = new Set();
    members.forEach((m, i) => {
      let tr = this.#rows.get(m.agent_id);
      if (!tr) {
        tr = this.#buildRow(m.agent_id);
        this.#rows.set(m.agent_id, tr);
      }
      this.#fillRow(tr, m);
      keep.add(m.agent_id);
      if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
    });
    for (const [id, tr] of this.#rows) {
      if (!keep.has(id)) {
        tr.remove();
        this.#rows.delete(id);
      }
    }
  }

  #buildRow(id) {
    const select = h('select', {
      class: 'role-select', dataset: { testid: 'member-role' },
      onchange: (e) => this.#changeRole(id, e.target),
    }, roles.map((r) => h('option', { value: r }, label('role.', r))));
    return h('tr', { dataset: { agentId: id, testid: 'team-member' } },
      h('th', { scope: 'row' },
        h('span', { class: 'agent-name' }), h('span', { class: 'note me' }), h('small', { class: 'note email' })),
      h('td', { dataset: { field: 'role', label: t('capacity.role') } }, select, h('span', { class: 'role-text' })),
      h('td', { dataset: { field: 'status', label: t('capacity.status') } }),
      h('td', { dataset: { field: 'capacity', label: t('capacity.capacity') } }),
      h('td', { dataset: { field: 'state', label: t('team.state') } },
        h('span', { class: 'chip member-state', dataset: { testid: 'member-state' } })),
      h('td', { class: 'actions-cell' }, h('div', { class: 'row-actions' },
        h('button', {
          type: 'button', class: 'secondary small', dataset: { testid: 'member-reset-password' },
          onclick: (e) => this.#resetPassword(id, e.target),
        }, t('team.reset_password')),
        h('button', {
          type: 'button', class: 'secondary small', dataset: { testid: 'member-deactivate', toggle: 'active' },
          onclick: (e) => this.#toggleActive(id, e.target),
        }))));
  }

  #fillRow(tr, m) {
    const me = m.agent_id === this.#inbox.agentId;
    const active = isActive(m);
    const master = this.#master;
    tr.dataset.active = String(active);
    tr.dataset.role = m.role;
    tr.querySelector('.agent-name').textContent = m.name;
    tr.querySelector('.me').textContent = me ? ' ' + t('transfer.me') : '';
    tr.querySelector('.email').textContent = m.email;
    const select = tr.querySelector('select');
    if (document.activeElement !== select) select.value = m.role;
    select.hidden = !master || !active;
    select.setAttribute('aria-label', `${t('capacity.role')} · ${m.name}`);
    tr.querySelector('.role-text').hidden = master && active;
    tr.querySelector('.role-text').textContent = label('role.', m.role);
    tr.querySelector('[data-field=status]').replaceChildren(
      h('span', { class: 'status-dot', dataset: { status: active ? m.status : 'offline' }, 'aria-hidden': 'true' }),
      active ? statusText(m.status) : '—');
    tr.querySelector('[data-field=capacity]').textContent = m.capacity ?? t('capacity.default', { n: this.#inbox.settings.default_capacity ?? '' });
    const state = tr.querySelector('.member-state');
    state.textContent = t(active ? 'team.active' : 'team.inactive');
    state.dataset.state = active ? 'active' : 'inactive';
    const reset = tr.querySelector('[data-testid=member-reset-password]');
    reset.hidden = !master || me || !active;
    reset.setAttribute('aria-label', `${t('team.reset_password')} · ${m.name}`);
    const toggle = tr.querySelector('[data-toggle=active]');
    toggle.hidden = !master || me;
    toggle.textContent = t(active ? 'team.deactivate' : 'team.reactivate');
    toggle.setAttribute('aria-label', `${t(active ? 'team.deactivate' : 'team.reactivate')} · ${m.name}`);
    toggle.classList.toggle('warn', active);
    // The same button reactivates: member-deactivate or member-reactivate.
    toggle.dataset.testid = active ? 'member-deactivate' : 'member-reactivate';
  }

  // #patch changes a member (PATCH …/agents/{aid}) and shows the refusal
  // in the toast, returning the member or null.
  async #patch(id, change) {
    try {
      const m = await this.#inbox.request('PATCH', `/agents/${id}`, change);
      this.#inbox.setMember(m);
      return m;
    } catch (err) {
      toast(locale.errorText(err));
      return null;
    }
  }

  async #changeRole(id, select) {
    const m = this.#inbox.members.get(id);
    const role = select.value;
    if (!m || role === m.role) return;
    if (id === this.#inbox.agentId && m.role === 'master' && !(await ask(t('team.demote_self_confirm', { role: label('role.', role) }), t('team.change_role')))) {
      select.value = m.role;
      return;
    }
    select.disabled = true;
    const done = await this.#patch(id, { role });
    select.disabled = false;
    if (!done) select.value = m.role;
    else toast(t('team.role_changed', { name: done.name ?? m.name, role: label('role.', done.role) }));
  }

  async #toggleActive(id, button) {
    const m = this.#inbox.members.get(id);
    if (!m) return;
    const active = isActive(m);
    const question = t(active ? 'team.deactivate_confirm' : 'team.reactivate_confirm', { name: m.name });
    if (!(await ask(question, t(active ? 'team.deactivate' : 'team.reactivate')))) return;
    button.disabled = true;
    const done = await this.#patch(id, { active: !active });
    button.disabled = false;
    if (done) toast(t(active ? 'team.deactivated' : 'team.reactivated', { name: m.name }));
  }

  async #resetPassword(id, button) {
    const m = this.#inbox.members.get(id);
    if (!m || !(await ask(t('team.reset_confirm', { name: m.name }), t('team.reset_create')))) return;
    button.disabled = true;
    try {
      const link = await this.#inbox.request('POST', `/agents/${id}/password-reset`);
      this.#showLink({ kind: 'reset', name: m.name, email: m.email, url: link.reset_url, expires: link.expires_at, emailed: link.emailed });
    } catch (err) {
      toast(locale.errorText(err));
    } finally {
      button.disabled = false;
    }
  }

  #openInvite() {
    const form = this.#ref('invite-form');
    form.reset();
    this.#ref('invite-error').replaceChildren();
    this.#roleHelp();
    this.#ref('invite-dialog').showModal();
    form.elements.email.focus();
  }

  #roleHelp() {
    const role = this.#ref('invite-form').elements.role.value;
    this.#ref('role-help').textContent = t('team.role_help_' + role);
  }

  async #invite(e) {
    e.preventDefault();
    const form = e.target;
    const f = form.elements;
    const box = this.#ref('invite-error');
    box.replaceChildren();
    for (const input of [f.email, f.name]) {
      if (!input.value.trim() || !input.checkValidity()) {
        box.textContent = t(input === f.email ? 'team.email_required' : 'invite.name_required');
        input.focus();
        return;
      }
    }
    f.submit.disabled = true;
    try {
      const inv = await this.#inbox.request('POST', '/invitations', { email: f.email.value.trim(), name: f.name.value.trim(), role: f.role.value });
      this.#ref('invite-dialog').close();
      this.#showLink({ kind: 'invite', name: inv.name, email: inv.email, url: inv.invite_url, expires: inv.expires_at, emailed: inv.emailed });
      this.#loadInvitations();
    } catch (err) {
      formError(box, err);
    } finally {
      f.submit.disabled = false;
    }
  }

  // #showLink opens the dialog holding a link to copy: an invitation's or
  // a password reset's.
  #showLink(link) {
    this.#link = link;
    const dialog = this.#ref('link-dialog');
    dialog.dataset.kind = link.kind;
    this.#ref('link-title').textContent = t(link.kind === 'invite' ? 'team.invite_link_title' : 'team.reset_link_title');
    this.#ref('link-text').textContent = t(link.kind === 'invite' ? 'team.invite_link_text' : 'team.reset_link_text', { name: link.name, email: link.email });
    this.#ref('link-url').value = link.url;
    this.#ref('link-emailed').textContent = t(link.emailed ? 'team.emailed' : 'team.not_emailed', { email: link.email });
    this.#ref('link-emailed').dataset.emailed = String(Boolean(link.emailed));
    this.#ref('link-expires').textContent = link.expires ? t('team.link_expires', { time: exactTime(new Date(link.expires)) }) : '';
    if (!dialog.open) {
      dialog.addEventListener('close', () => {
        this.#link = null;
      }, { once: true });
      dialog.showModal();
    }
    this.#ref('link-url').select();
  }

  // #renderInvitations lists the invitations, the open ones (pending and
  // expired) unless "show all" is on, newest first.
  #renderInvitations() {
    if (!this.firstElementChild) return;
    const all = this.#ref('show-all').checked;
    const shown = this.#invitations
      .filter((inv) => all || inv.status === 'pending' || inv.status === 'expired')
      .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at) || b.id - a.id);
    const master = this.#master;
    this.#ref('invitations').replaceChildren(...shown.map((inv) => {
      const by = this.#inbox.members.get(inv.invited_by)?.name;
      const open = inv.status === 'pending' || inv.status === 'expired';
      return h('li', { dataset: { invitationId: inv.id, status: inv.status, testid: 'invitation' } },
        h('div', { class: 'invitation-who' },
          h('strong', {}, inv.name || inv.email),
          h('small', { class: 'note' }, inv.email)),
        h('div', { class: 'invitation-facts' },
          h('span', { class: 'chip' }, label('role.', inv.role)),
          h('span', { class: 'chip invitation-status', dataset: { status: inv.status, testid: 'invitation-status' } }, label('invitation_status.', inv.status)),
          h('small', { class: 'note' },
            by ? t('team.invited_by', { name: by }) + ' · ' : '',
            h('sodam-time', { datetime: inv.created_at }),
            inv.status === 'pending' ? ' · ' + t('team.expires', { time: exactTime(new Date(inv.expires_at)) }) : '')),
        master && h('div', { class: 'row-actions' },
          open && h('button', {
            type: 'button', class: 'secondary small', dataset: { testid: 'invitation-resend' },
            'aria-label': `${t('team.resend')} · ${inv.email}`,
            onclick: (e) => this.#resend(inv, e.target),
          }, t('team.resend')),
          inv.status === 'pending' && h('button', {
            type: 'button', class: 'secondary small warn', dataset: { testid: 'invitation-revoke' },
            'aria-label': `${t('team.revoke')} · ${inv.email}`,
            onclick: (e) => this.#revoke(inv, e.target),
          }, t('team.revoke'))));
    }));
    const empty = this.#ref('invitations-empty');
    empty.hidden = shown.length > 0;
    empty.textContent = t(all || !this.#invitations.length ? 'team.no_invitations' : 'team.no_open_invitations');
  }

  async #resend(inv, button) {
    button.disabled = true;
    try {
      const again = await this.#inbox.request('POST', `/invitations/${inv.id}/resend`);
      this.#showLink({ kind: 'invite', name: again.name ?? inv.name, email: again.email ?? inv.email, url: again.invite_url, expires: again.expires_at, emailed: again.emailed });
      this.#loadInvitations();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }

  async #revoke(inv, button) {
    if (!(await ask(t('team.revoke_confirm', { email: inv.email }), t('team.revoke')))) return;
    button.disabled = true;
    try {
      await this.#inbox.request('DELETE', `/invitations/${inv.id}`);
      toast(t('team.revoked', { email: inv.email }));
      this.#loadInvitations();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }
}

customElements.define('sodam-team', Team);
