// <sodam-deactivated> is what the console shows instead of a workspace in
// which a master deactivated the agent: the socket has stopped (it would
// only be refused again), and the page says so plainly, offers the agent's
// other workspaces, a way to check again once reactivated, and sign-out.
import { h } from '../shared/dom.js';
import { call } from './api.js';
import { locale, t } from './i18n.js';
import { session } from './session.js';
import { stamp, template } from './template.js';

const markup = template(`
<div class="state-card" role="alert">
  <svg viewBox="0 0 24 24" aria-hidden="true"><circle cx="12" cy="8" r="3.5"/><path d="M5 20c0-3.6 3.1-6 7-6 1.3 0 2.5.3 3.5.8"/><path d="M16 16l5 5M21 16l-5 5"/></svg>
  <h1 data-ref="heading"></h1>
  <p data-ref="text" data-testid="deactivated-text"></p>
  <p class="help" data-ref="help"></p>
  <p class="help" data-i18n="deactivated.signed_out" data-ref="signed-out" data-testid="deactivated-signed-out" hidden></p>
  <div class="state-actions" data-ref="others" data-testid="deactivated-workspaces"></div>
  <div class="state-actions">
    <button type="button" class="secondary" data-ref="retry" data-i18n="deactivated.retry" data-testid="deactivated-retry"></button>
    <button type="button" class="secondary" data-action="logout" data-i18n="nav.logout" data-testid="deactivated-logout"></button>
  </div>
</div>`);

class Deactivated extends HTMLElement {
  #member = null;
  #on = {};
  #names = new Map();

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    this.querySelector('[data-ref=retry]').addEventListener('click', async (e) => {
      e.target.disabled = true;
      try {
        await this.#on.retry?.();
      } finally {
        e.target.disabled = false;
      }
    });
    locale.addEventListener('change', () => this.#render());
  }

  // show explains that member (the agent's membership) is deactivated,
  // or with on.archived that its workspace was archived.
  // on.name is the workspace's name when known; on.signedOut says the
  // server ended the session too (no other workspace is left); on.open(id)
  // opens another workspace, on.retry() checks again.
  async show(member, on) {
    this.#member = member;
    this.#on = on;
    this.#names = new Map();
    if (member && on.name) this.#names.set(member.workspace_id, { id: member.workspace_id, name: on.name });
    this.querySelector('[data-ref=signed-out]').hidden = !on.signedOut;
    this.querySelector('[data-ref=retry]').hidden = Boolean(on.signedOut);
    this.#render();
    if (on.signedOut) return; // asking would only be refused
    try {
      const { workspaces } = await call('GET', '/workspaces');
      for (const w of workspaces) this.#names.set(w.id, w);
    } catch {
      // Without the list the buttons say "workspace N".
    }
    this.#render();
  }

  #render() {
    if (!this.firstElementChild) return;
    // A workspace one is deactivated in is not listed to them any more:
    // its name is known only when the page saw it open.
    const name = (id) => this.#names.get(id)?.name ?? t('deactivated.workspace');
    const key = this.#on.archived ? 'deactivated.archived_' : 'deactivated.';
    this.dataset.reason = this.#on.archived ? 'archived' : 'deactivated';
    this.querySelector('[data-ref=heading]').textContent = t(key + 'heading');
    this.querySelector('[data-ref=help]').textContent = t(key + 'help');
    this.querySelector('[data-ref=text]').textContent = this.#member
      ? t(key + 'text', { workspace: name(this.#member.workspace_id) }) : '';
    const others = this.#on.signedOut ? [] : session.active.filter((m) => m.workspace_id !== this.#member?.workspace_id && !this.#names.get(m.workspace_id)?.archived_at);
    this.querySelector('[data-ref=others]').replaceChildren(...others.map((m) => h('button', {
      type: 'button', class: 'primary', dataset: { testid: 'deactivated-open', workspaceId: m.workspace_id },
      onclick: () => this.#on.open?.(m.workspace_id),
    }, t('deactivated.open', { workspace: name(m.workspace_id) }))));
  }
}

customElements.define('sodam-deactivated', Deactivated);
