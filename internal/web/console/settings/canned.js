// <sodam-settings-canned> is the canned responses, shared and personal,
// with favourites. Managers and masters edit the shared ones; every agent
// keeps personal responses and favourites. (The composer's "#" list is
// ../canned.js.)
import { h } from '../../shared/dom.js';
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { ask, iconButton, SettingsCard } from './card.js';

class CannedCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="canned.heading"></h2>
<p class="help" data-i18n="canned.help"></p>
<ul class="canned-admin" data-ref="list" data-testid="canned-admin-list"></ul>
<p class="help" data-ref="empty" data-i18n="canned.empty"></p>
<form class="canned-form" data-ref="form" data-testid="canned-form">
  <h3 data-ref="form-title"></h3>
  <label><span data-i18n="canned.title"></span><input name="title" maxlength="50" required autocomplete="off" data-testid="canned-title"></label>
  <label>
    <span data-i18n="canned.body"></span>
    <textarea name="body" rows="4" maxlength="2000" required data-testid="canned-body"></textarea>
    <small class="help" data-i18n="canned.variables"></small>
  </label>
  <label class="check"><input type="checkbox" name="shared" data-testid="canned-shared"><span data-i18n="canned.share"></span></label>
  <p class="form-error" role="alert" data-ref="error" data-testid="canned-error"></p>
  <div class="form-actions">
    <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="canned-save"></button>
    <button type="button" name="cancel" class="secondary" data-i18n="conv.cancel" data-testid="canned-cancel" hidden></button>
  </div>
</form>`);

  #items = [];
  #editing = null; // the response in the form, or null for a new one

  build() {
    const form = this.ref('form');
    this.onSubmit(form, () => this.#save());
    form.elements.cancel.addEventListener('click', () => this.#resetForm());
  }

  relabel() {
    this.#render();
    this.#titleForm();
  }

  show(inbox) {
    super.show(inbox);
    this.#resetForm();
  }

  async load() {
    const fresh = await this.call('GET', '/canned');
    if (fresh) this.#items = fresh;
    this.#render();
  }

  // Shared responses are the managers'; personal ones their owner's.
  #mayEdit(c) {
    return c.shared ? this.editable : c.owner_id === this.inbox.agentId;
  }

  #render() {
    if (!this.inbox) return;
    this.ref('list').replaceChildren(...this.#items.map((c) => h('li', {
      class: 'canned-item', dataset: { testid: 'canned-item', cannedId: c.id, shared: String(c.shared) },
    },
    h('button', {
      type: 'button', class: 'icon small star', 'aria-pressed': String(c.favourite),
      title: t(c.favourite ? 'canned.unfavourite' : 'canned.favourite'), 'aria-label': t(c.favourite ? 'canned.unfavourite' : 'canned.favourite'),
      dataset: { testid: 'canned-favourite' }, onclick: (e) => this.#favourite(c, e.currentTarget),
    }, c.favourite ? '★' : '☆'),
    h('div', { class: 'canned-main' },
      h('div', { class: 'canned-head' },
        h('strong', { dataset: { field: 'title' } }, c.title),
        h('span', { class: 'chip' }, t(c.shared ? 'canned.shared' : 'canned.personal'))),
      h('p', { class: 'canned-body', dataset: { field: 'body' } }, c.body)),
    this.#mayEdit(c) && h('div', { class: 'canned-actions' },
      iconButton('✎', t('tools.edit', { name: c.title }), 'canned-edit', () => this.#edit(c)),
      iconButton('×', t('tools.delete', { name: c.title }), 'canned-delete', () => this.#remove(c))))));
    this.ref('empty').hidden = this.#items.length > 0;
  }

  #titleForm() {
    this.ref('form-title').textContent = t(this.#editing ? 'canned.edit_title' : 'canned.new_title');
  }

  #resetForm() {
    const form = this.ref('form');
    this.#editing = null;
    form.reset();
    // Only managers share; the sharing of a saved response does not change.
    form.elements.shared.disabled = !this.editable;
    form.elements.cancel.hidden = true;
    this.ref('error').replaceChildren();
    this.#titleForm();
  }

  #edit(c) {
    const f = this.ref('form').elements;
    this.#editing = c;
    f.title.value = c.title;
    f.body.value = c.body;
    f.shared.checked = c.shared;
    f.shared.disabled = true;
    f.cancel.hidden = false;
    this.ref('error').replaceChildren();
    this.#titleForm();
    f.title.focus();
  }

  async #save() {
    const f = this.ref('form').elements;
    const body = { title: f.title.value.trim(), body: f.body.value };
    f.save.disabled = true;
    const saved = this.#editing
      ? await this.call('PATCH', `/canned/${this.#editing.id}`, body)
      : await this.call('POST', '/canned', { ...body, shared: f.shared.checked });
    f.save.disabled = false;
    if (!saved) return;
    this.#resetForm();
    toast(t('canned.saved'));
    await this.load();
  }

  async #favourite(c, button) {
    button.disabled = true;
    if ((await this.call('PUT', `/canned/${c.id}/favourite`, { on: !c.favourite })) !== undefined) await this.load();
    button.disabled = false;
  }

  async #remove(c) {
    if (!(await ask(t('canned.delete_confirm', { title: c.title }), t('tools.delete_yes')))) return;
    if ((await this.call('DELETE', `/canned/${c.id}`)) === undefined) return;
    if (this.#editing?.id === c.id) this.#resetForm();
    await this.load();
  }
}

customElements.define('sodam-settings-canned', CannedCard);
