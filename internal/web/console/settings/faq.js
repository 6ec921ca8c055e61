// <sodam-settings-faq> is the FAQ (§8, issue 12): the robot's switch, the
// categories, the articles with an editor and a preview that shows the
// body as saving will keep it (sanitized on the server), and import and
// export (JSON, or CSV for titles and bodies). Managers and masters edit;
// agents read. The list comes without bodies; editing reads the article. The help center (/help/{site_id}) shows what is published.
import { h } from '../../shared/dom.js';
import { callText } from '../api.js';
import { formError, t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { ask, iconButton, SettingsCard } from './card.js';

class FAQCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="faq.heading"></h2>
<p class="help" data-i18n="faq.help"></p>
<p class="help"><a data-ref="help-link" target="_blank" rel="noopener" data-testid="faq-help-link" data-i18n="faq.help_center"></a></p>
<fieldset data-gated class="faq-robot">
  <label class="check"><input type="checkbox" name="robot" data-ref="robot" data-testid="faq-robot"><span data-i18n="faq.robot"></span></label>
  <small class="help" data-i18n="faq.robot_help"></small>
</fieldset>
<p class="readonly-note" data-i18n="settings.readonly"></p>
<h3 data-i18n="faq.categories"></h3>
<ul class="faq-categories" data-ref="categories" data-testid="faq-categories"></ul>
<form class="inline-form" data-ref="category-form" data-testid="faq-category-form">
  <fieldset data-gated>
    <input name="name" maxlength="100" required autocomplete="off" data-i18n-attr="placeholder:faq.category_name;aria-label:faq.category_name" data-testid="faq-category-name">
    <input name="name_en" maxlength="100" autocomplete="off" data-i18n-attr="placeholder:faq.category_name_en;aria-label:faq.category_name_en" data-testid="faq-category-name-en">
    <button type="submit" name="add" class="secondary" data-i18n="faq.category_add" data-testid="faq-category-add"></button>
    <button type="button" name="cancel" class="secondary" data-i18n="conv.cancel" data-testid="faq-category-cancel" hidden></button>
  </fieldset>
</form>
<h3 data-i18n="faq.articles"></h3>
<ul class="faq-admin" data-ref="list" data-testid="faq-admin-list"></ul>
<p class="help" data-ref="empty" data-i18n="faq.empty"></p>
<form class="faq-form" data-ref="form" data-testid="faq-form">
  <fieldset data-gated>
    <h3 data-ref="form-title"></h3>
    <label><span data-i18n="faq.title"></span><input name="title" maxlength="200" required autocomplete="off" data-testid="faq-title"></label>
    <div class="faq-row">
      <label><span data-i18n="faq.category"></span><select name="category" data-testid="faq-category"></select></label>
      <label><span data-i18n="faq.lang"></span><select name="lang" data-testid="faq-lang"><option value="ko" lang="ko">한국어</option><option value="en" lang="en">English</option></select></label>
    </div>
    <label><span data-i18n="faq.keywords"></span><input name="keywords" maxlength="1600" autocomplete="off" data-testid="faq-keywords"><small class="help" data-i18n="faq.keywords_help"></small></label>
    <label><span data-i18n="faq.body"></span><textarea name="body" rows="8" data-testid="faq-body"></textarea><small class="help" data-i18n="faq.body_help"></small></label>
    <label class="secondary button faq-image"><span data-i18n="faq.image"></span><input type="file" accept="image/png,image/jpeg,image/gif,image/bmp" class="sr-only" data-ref="image" data-testid="faq-image"></label>
    <label class="check"><input type="checkbox" name="published" data-testid="faq-published"><span data-i18n="faq.published"></span></label>
    <p class="form-error" role="alert" data-ref="error" data-testid="faq-error"></p>
    <div class="form-actions">
      <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="faq-save"></button>
      <button type="button" name="preview" class="secondary" data-i18n="faq.preview" data-testid="faq-preview-button"></button>
      <button type="button" name="cancel" class="secondary" data-i18n="conv.cancel" data-testid="faq-cancel" hidden></button>
    </div>
  </fieldset>
</form>
<section class="faq-preview" data-ref="preview" data-testid="faq-preview" hidden>
  <h3 data-i18n="faq.preview"></h3>
  <h4 data-ref="preview-title"></h4>
  <div class="faq-preview-body" data-ref="preview-body" data-testid="faq-preview-body"></div>
</section>
<h3 data-i18n="faq.transfer"></h3>
<div class="form-actions">
  <a class="secondary button" data-ref="export-json" download="faq.json" data-testid="faq-export-json" data-i18n="faq.export_json"></a>
  <a class="secondary button" data-ref="export-csv" download="faq.csv" data-testid="faq-export-csv" data-i18n="faq.export_csv"></a>
  <fieldset data-gated class="faq-import">
    <label class="secondary button"><span data-i18n="faq.import"></span><input type="file" accept=".json,.csv,application/json,text/csv" data-ref="import" class="sr-only" data-testid="faq-import"></label>
  </fieldset>
</div>`);

  #articles = [];
  #categories = [];
  #editing = null;
  // #pristine is the form's values as last opened or saved: what differs
  // from it is unsaved.
  #pristine = '';
  #workspaceId = null;
  // #renaming is the category whose names the category form changes.
  #renaming = null;

  build() {
    const form = this.ref('form');
    this.onSubmit(form, () => this.#save());
    form.elements.cancel.addEventListener('click', async () => {
      if (await this.#mayLeave()) this.#resetForm();
    });
    // Closing or reloading the tab with unsaved changes asks first.
    window.addEventListener('beforeunload', (e) => {
      if (this.isConnected && this.#dirty()) e.preventDefault();
    });
    form.elements.preview.addEventListener('click', () => this.#preview());
    this.onSubmit(this.ref('category-form'), () => this.#addCategory());
    this.ref('category-form').elements.cancel.addEventListener('click', () => this.#resetCategoryForm());
    this.ref('robot').addEventListener('change', (e) => this.#setRobot(e.target));
    this.ref('import').addEventListener('change', (e) => this.#import(e.target));
    this.ref('image').addEventListener('change', (e) => this.#image(e.target));
  }

  relabel() {
    this.#render();
    this.#titleForm();
  }

  // show keeps an unsaved article when the manager comes back to the
  // settings of the same workspace (to answer a chat, say); another
  // workspace's settings start with an empty form.
  show(inbox) {
    super.show(inbox);
    if (this.#workspaceId === inbox?.workspaceId && this.#dirty()) return;
    this.#workspaceId = inbox?.workspaceId ?? null;
    this.#resetForm();
    this.#resetCategoryForm();
  }

  #dirty() {
    return this.#pristine !== '' && JSON.stringify(this.#values()) !== this.#pristine;
  }

  // #mayLeave is whether the form's unsaved changes may go: none, or the
  // manager says so.
  async #mayLeave() {
    return !this.#dirty() || ask(t('faq.discard_question'), t('faq.discard_yes'));
  }

  fill(workspace) {
    this.ref('robot').checked = Boolean(workspace.settings?.robot?.enabled);
    this.ref('help-link').href = `/help/${encodeURIComponent(workspace.site_id)}`;
    const base = `/api/v1/workspaces/${workspace.id}/faq/export`;
    this.ref('export-json').href = base + '?format=json';
    this.ref('export-csv').href = base + '?format=csv';
    for (const a of [this.ref('export-json'), this.ref('export-csv')]) a.hidden = !this.editable;
  }

  async load() {
    const [cats, arts] = await Promise.all([this.call('GET', '/faq/categories'), this.call('GET', '/faq/articles')]);
    if (cats) this.#categories = cats;
    if (arts) this.#articles = arts;
    this.#render();
  }

  #categoryName(id) {
    return this.#categories.find((c) => c.id === id)?.name ?? '';
  }

  #render() {
    if (!this.inbox) return;
    const cats = this.#categories;
    this.ref('categories').replaceChildren(...cats.map((c, i) => h('li', { class: 'chip', dataset: { testid: 'faq-category-item', categoryId: c.id } },
      c.name_en ? `${c.name} · ${c.name_en}` : c.name,
      this.editable && i > 0 && iconButton('↑', t('faq.category_up', { name: c.name }), 'faq-category-up', () => this.#swap(i, i - 1)),
      this.editable && i < cats.length - 1 && iconButton('↓', t('faq.category_down', { name: c.name }), 'faq-category-down', () => this.#swap(i, i + 1)),
      this.editable && iconButton('✎', t('tools.rename', { name: c.name }), 'faq-category-rename', () => this.#renameCategory(c)),
      this.editable && iconButton('×', t('tools.delete', { name: c.name }), 'faq-category-delete', () => this.#removeCategory(c)))));
    const select = this.ref('form').elements.category;
    const chosen = select.value;
    select.replaceChildren(h('option', { value: '0' }, t('faq.no_category')), ...this.#categories.map((c) => h('option', { value: String(c.id) }, c.name)));
    select.value = chosen || '0';
    this.ref('list').replaceChildren(...this.#articles.map((a) => h('li', { class: 'faq-item', dataset: { testid: 'faq-item', articleId: a.id, published: String(a.published) } },
      h('div', { class: 'faq-main' },
        h('strong', {}, a.title),
        h('span', { class: 'chip' }, t(a.published ? 'faq.published_chip' : 'faq.draft_chip')),
        a.category_id ? h('span', { class: 'chip' }, this.#categoryName(a.category_id)) : null,
        h('span', { class: 'note' }, a.lang.toUpperCase()),
        h('small', { class: 'note' }, t('faq.feedback', { yes: a.helpful, no: a.not_helpful }))),
      this.editable && h('div', { class: 'canned-actions' },
        iconButton('✎', t('tools.edit', { name: a.title }), 'faq-edit', () => this.#edit(a)),
        iconButton('×', t('tools.delete', { name: a.title }), 'faq-delete', () => this.#remove(a))))));
    this.ref('empty').hidden = this.#articles.length > 0;
  }

  #titleForm() {
    this.ref('form-title').textContent = t(this.#editing ? 'faq.edit_title' : 'faq.new_title');
  }

  #resetForm() {
    this.#editing = null;
    this.ref('form').reset();
    this.ref('form').elements.cancel.hidden = true;
    this.ref('preview').hidden = true;
    this.ref('error').replaceChildren();
    this.#titleForm();
    this.#pristine = JSON.stringify(this.#values());
  }

  // #edit reads the article whole (the list carries no bodies) and puts
  // it in the form.
  async #edit(item) {
    if (!(await this.#mayLeave())) return;
    const a = await this.call('GET', `/faq/articles/${item.id}`);
    if (!a) return;
    const f = this.ref('form').elements;
    this.#editing = a;
    f.title.value = a.title;
    f.category.value = String(a.category_id ?? 0);
    f.lang.value = a.lang;
    f.keywords.value = (a.keywords ?? []).join(', ');
    f.body.value = a.body_html;
    f.published.checked = a.published;
    f.cancel.hidden = false;
    this.ref('error').replaceChildren();
    this.#titleForm();
    this.#pristine = JSON.stringify(this.#values());
    f.title.focus();
  }

  #values() {
    const f = this.ref('form').elements;
    return {
      title: f.title.value.trim(),
      category_id: Number(f.category.value) || 0,
      lang: f.lang.value,
      keywords: f.keywords.value.split(',').map((k) => k.trim()).filter(Boolean),
      body_html: f.body.value,
      published: f.published.checked,
    };
  }

  // #preview shows the body as the server will keep it: sanitized, so the
  // preview never runs anything either.
  async #preview() {
    const v = this.#values();
    const res = await this.call('POST', '/faq/preview', { body_html: v.body_html });
    if (!res) return;
    this.ref('preview-title').textContent = v.title;
    this.ref('preview-body').innerHTML = res.body_html; // sanitized by the server
    this.ref('preview').hidden = false;
  }

  // #save sends the whole article: on the one the editor opened (If-Match),
  // so a colleague's save meanwhile is not laid over without a word. On
  // 409 the manager's text stays in the form, the colleague's version is
  // what a second save replaces, and the message says so.
  async #save() {
    const f = this.ref('form').elements;
    f.save.disabled = true;
    const editing = this.#editing;
    let saved;
    if (editing) {
      const box = this.ref('error');
      box.replaceChildren();
      try {
        saved = await this.inbox.request('PATCH', `/faq/articles/${editing.id}`, this.#values(), { headers: { 'If-Match': `"${editing.updated_at}"` } });
      } catch (err) {
        formError(box, err);
        if (err.code === 'conflict' && this.#editing === editing) {
          const now = await this.inbox.request('GET', `/faq/articles/${editing.id}`).catch(() => null);
          if (now && this.#editing === editing) this.#editing = now;
          box.replaceChildren(t('faq.conflict'));
        }
      }
    } else {
      saved = await this.call('POST', '/faq/articles', this.#values());
    }
    f.save.disabled = false;
    if (!saved) return;
    toast(t('faq.saved'));
    this.#resetForm();
    await this.load();
  }

  async #remove(a) {
    if (!(await ask(t('faq.delete_question', { title: a.title }), t('tools.delete_yes')))) return;
    if ((await this.call('DELETE', `/faq/articles/${a.id}`)) === undefined) return;
    await this.load();
  }

  // #renameCategory puts a category's names in the category form, whose
  // button then saves them: a category could only be deleted and made
  // again, which left its articles without one.
  #renameCategory(c) {
    const f = this.ref('category-form').elements;
    this.#renaming = c;
    f.name.value = c.name;
    f.name_en.value = c.name_en ?? '';
    f.add.dataset.i18n = 'settings.save';
    f.add.textContent = t('settings.save');
    f.cancel.hidden = false;
    f.name.focus();
  }

  #resetCategoryForm() {
    const f = this.ref('category-form').elements;
    this.#renaming = null;
    this.ref('category-form').reset();
    f.add.dataset.i18n = 'faq.category_add';
    f.add.textContent = t('faq.category_add');
    f.cancel.hidden = true;
  }

  async #addCategory() {
    const form = this.ref('category-form');
    const name = form.elements.name.value.trim();
    if (!name) return;
    const nameEN = form.elements.name_en.value.trim();
    if (this.#renaming) {
      if (!(await this.call('PATCH', `/faq/categories/${this.#renaming.id}`, { name, name_en: nameEN }))) return;
      this.#resetCategoryForm();
      await this.load();
      return;
    }
    const last = this.#categories.at(-1)?.position ?? -1;
    const made = await this.call('POST', '/faq/categories', { name, name_en: nameEN, position: last + 1 });
    if (!made) return;
    form.reset();
    await this.load();
  }

  // #swap exchanges two neighbouring categories' places (positions are
  // renumbered in list order, so equal positions never tie).
  async #swap(i, j) {
    const order = [...this.#categories];
    [order[i], order[j]] = [order[j], order[i]];
    for (const [k, c] of order.entries()) {
      if (c.position === k) continue;
      if ((await this.call('PATCH', `/faq/categories/${c.id}`, { position: k })) === undefined) break;
    }
    await this.load();
  }

  async #removeCategory(c) {
    if (!(await ask(t('faq.category_delete_question', { name: c.name }), t('tools.delete_yes')))) return;
    if ((await this.call('DELETE', `/faq/categories/${c.id}`)) === undefined) return;
    await this.load();
  }

  async #setRobot(box) {
    await this.patch({ settings: { robot: { enabled: box.checked } } }, null, this.ref('error'), () => toast(t('faq.saved')));
  }

  // #image uploads an image and puts an <img> for it where the caret is
  // in the body, the caret in its alt text.
  async #image(input) {
    const file = input.files[0];
    input.value = '';
    if (!file) return;
    const form = new FormData();
    form.append('file', file);
    const box = this.ref('error');
    box.replaceChildren();
    try {
      const img = await callText('POST', `/workspaces/${this.inbox.workspaceId}/faq/images`, form, null);
      const body = this.ref('form').elements.body;
      // The caret lands in alt="", so the manager describes the image
      // next: an image without one is nothing to a screen reader.
      const tag = `<img src="${img.url}" alt="">`;
      const at = body.selectionStart;
      body.setRangeText(tag, at, body.selectionEnd, 'end');
      body.focus();
      body.setSelectionRange(at + tag.length - 2, at + tag.length - 2);
    } catch (err) {
      formError(box, err);
    }
  }

  // #import sends the chosen file as it is: JSON as exported, or CSV.
  async #import(input) {
    const file = input.files[0];
    input.value = '';
    if (!file) return;
    const csv = /\.csv$/i.test(file.name) || file.type === 'text/csv';
    const box = this.ref('error');
    box.replaceChildren();
    try {
      const text = await file.text();
      const res = await callText('POST', `/workspaces/${this.inbox.workspaceId}/faq/import`, text, csv ? 'text/csv' : 'application/json');
      toast(t('faq.imported', { created: res.created, updated: res.updated }));
      await this.load();
    } catch (err) {
      formError(box, err);
    }
  }
}

customElements.define('sodam-settings-faq', FAQCard);
