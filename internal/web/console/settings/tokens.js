// <sodam-settings-tokens> is the workspace's API tokens (§10.4), for
// masters only: create one with a name, scopes (read, write, admin) and
// an optional expiry; its secret is shown once, to copy; the list shows
// when each was last used, and revokes.
import { h } from '../../shared/dom.js';
import { copyText } from '../copy.js';
import { dateFormat, exactTime, formError, fromLocalInput, label, locale, t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { ask, SettingsCard } from './card.js';

const scopes = ['read', 'write', 'admin'];

class TokensCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="tokens.heading"></h2>
<p class="help" data-i18n="tokens.help"></p>
<form class="token-form" data-ref="form" data-testid="token-form" novalidate>
  <label>
    <span data-i18n="tokens.name"></span>
    <input name="name" required maxlength="100" autocomplete="off" class="medium" data-i18n-attr="placeholder:tokens.name_example" data-testid="token-name">
  </label>
  <fieldset class="token-scopes">
    <legend data-i18n="tokens.scopes"></legend>
    <label class="check"><input type="checkbox" name="scope" value="read" checked data-testid="token-scope-read"><span><strong data-i18n="scope.read"></strong> <small class="help" data-i18n="scope.read_help"></small></span></label>
    <label class="check"><input type="checkbox" name="scope" value="write" data-testid="token-scope-write"><span><strong data-i18n="scope.write"></strong> <small class="help" data-i18n="scope.write_help"></small></span></label>
    <label class="check"><input type="checkbox" name="scope" value="admin" data-testid="token-scope-admin"><span><strong data-i18n="scope.admin"></strong> <small class="help" data-i18n="scope.admin_help"></small></span></label>
  </fieldset>
  <label>
    <span data-i18n="tokens.expires"></span>
    <input type="date" name="expires" class="medium" data-testid="token-expires">
    <small class="help" data-i18n="tokens.expires_help"></small>
  </label>
  <p class="form-error" role="alert" data-ref="error" data-testid="token-error"></p>
  <button type="submit" name="submit" class="primary" data-i18n="tokens.create" data-testid="token-create"></button>
</form>
<div class="token-secret" role="status" data-ref="secret-box" data-testid="token-secret-box" hidden>
  <p><strong data-i18n="tokens.secret_once"></strong></p>
  <div class="copy-box">
    <input readonly spellcheck="false" data-ref="secret" data-i18n-attr="aria-label:tokens.secret" data-testid="token-secret">
    <button type="button" class="secondary" data-ref="copy" data-i18n="settings.copy" data-testid="token-copy"></button>
  </div>
  <p class="help" data-i18n="tokens.usage"></p>
  <button type="button" class="secondary" data-ref="done" data-i18n="team.done" data-testid="token-secret-done"></button>
</div>
<div class="table-wrap">
  <table class="table token-table" data-testid="token-table">
    <thead>
      <tr>
        <th scope="col" data-i18n="tokens.name"></th>
        <th scope="col" data-i18n="tokens.scopes"></th>
        <th scope="col" data-i18n="tokens.created"></th>
        <th scope="col" data-i18n="tokens.expires_col"></th>
        <th scope="col" data-i18n="tokens.last_used"></th>
        <th scope="col"><span class="sr-only" data-i18n="team.actions"></span></th>
      </tr>
    </thead>
    <tbody data-ref="tokens"></tbody>
  </table>
</div>
<p class="help" data-ref="empty" data-i18n="tokens.empty" data-testid="token-empty" hidden></p>`);

  #tokens = [];

  build() {
    this.onSubmit(this.ref('form'), () => this.#create());
    this.ref('copy').addEventListener('click', () => copyText(this.ref('secret'), this.ref('copy')));
    this.ref('done').addEventListener('click', () => this.#hideSecret());
  }

  relabel() {
    this.#render();
  }

  get editable() {
    return Boolean(this.inbox?.isMaster);
  }

  attach(inbox) {
    super.attach(inbox);
    this.#tokens = [];
    this.#hideSecret();
    this.#render();
  }

  show(inbox) {
    super.show(inbox);
    this.hidden = !this.editable;
  }

  async load() {
    if (!this.editable) return;
    try {
      const { tokens } = await this.inbox.request('GET', '/api-tokens');
      this.#tokens = tokens ?? [];
    } catch (err) {
      toast(locale.errorText(err));
    }
    this.#render();
  }

  #render() {
    const members = this.inbox?.members ?? new Map();
    const now = Date.now();
    const rows = [...this.#tokens].sort((a, b) => Number(Boolean(a.revoked_at)) - Number(Boolean(b.revoked_at)) || b.id - a.id);
    this.ref('tokens').replaceChildren(...rows.map((tk) => {
      const expired = tk.expires_at && Date.parse(tk.expires_at) <= now;
      const state = tk.revoked_at ? 'revoked' : expired ? 'expired' : 'active';
      const by = members.get(tk.created_by)?.name;
      return h('tr', { dataset: { tokenId: tk.id, state, testid: 'token-row' } },
        h('th', { scope: 'row' },
          h('span', { class: 'token-name' }, tk.name),
          state !== 'active' && h('span', { class: 'chip token-state', dataset: { state } }, t('tokens.' + state)),
          by && h('small', { class: 'note' }, t('tokens.created_by', { name: by }))),
        h('td', { dataset: { label: t('tokens.scopes') } }, h('span', { class: 'chips' }, (tk.scopes ?? []).map((s) => h('span', { class: 'chip' }, label('scope.', s))))),
        h('td', { dataset: { label: t('tokens.created') } }, h('sodam-time', { datetime: tk.created_at })),
        h('td', { dataset: { label: t('tokens.expires_col') } }, tk.expires_at ? h('span', { title: exactTime(new Date(tk.expires_at)) }, dateText(tk.expires_at)) : t('tokens.never_expires')),
        h('td', { dataset: { label: t('tokens.last_used'), testid: 'token-last-used' } }, tk.last_used_at ? h('sodam-time', { datetime: tk.last_used_at }) : t('tokens.never_used')),
        h('td', { class: 'actions-cell' }, state === 'active' && h('div', { class: 'row-actions' }, h('button', {
          type: 'button', class: 'secondary small warn', dataset: { testid: 'token-revoke' },
          'aria-label': `${t('tokens.revoke')} · ${tk.name}`,
          onclick: (e) => this.#revoke(tk, e.target),
        }, t('tokens.revoke')))));
    }));
    this.ref('empty').hidden = this.#tokens.length > 0;
  }

  async #create() {
    const form = this.ref('form');
    const f = form.elements;
    const box = this.ref('error');
    box.replaceChildren();
    const name = f.name.value.trim();
    const chosen = [...form.querySelectorAll('[name=scope]:checked')].map((c) => c.value).filter((s) => scopes.includes(s));
    if (!name) {
      box.textContent = t('tokens.name_required');
      f.name.focus();
      return;
    }
    if (!chosen.length) {
      box.textContent = t('tokens.scope_required');
      return;
    }
    const body = { name, scopes: chosen };
    // The end of the chosen day in the workspace's time zone, the day the
    // list then shows, whatever zone this computer is in.
    if (f.expires.value) body.expires_at = new Date(Date.parse(fromLocalInput(f.expires.value + 'T23:59')) + 59_000).toISOString();
    f.submit.disabled = true;
    try {
      const tk = await this.inbox.request('POST', '/api-tokens', body);
      form.reset();
      this.ref('secret').value = tk.token;
      this.ref('secret-box').hidden = false;
      this.ref('secret-box').scrollIntoView({ block: 'nearest' });
      this.ref('secret').select();
      this.#tokens = [{ ...tk, token: undefined }, ...this.#tokens.filter((x) => x.id !== tk.id)];
      this.#render();
      this.load();
    } catch (err) {
      formError(box, err);
    } finally {
      f.submit.disabled = false;
    }
  }

  // #hideSecret forgets the secret: it is never shown again.
  #hideSecret() {
    this.ref('secret').value = '';
    this.ref('secret-box').hidden = true;
  }

  async #revoke(tk, button) {
    if (!(await ask(t('tokens.revoke_confirm', { name: tk.name }), t('tokens.revoke')))) return;
    button.disabled = true;
    try {
      await this.inbox.request('DELETE', `/api-tokens/${tk.id}`);
      toast(t('tokens.revoked_done', { name: tk.name }));
      await this.load();
    } catch (err) {
      toast(locale.errorText(err));
      button.disabled = false;
    }
  }
}

const dateText = (iso) => dateFormat({ year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(iso));

customElements.define('sodam-settings-tokens', TokensCard);
