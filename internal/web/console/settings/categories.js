// <sodam-settings-categories> is the category tree (처리유형), up to three
// levels. Managers and masters add, rename and delete categories; agents
// only read.
import { h } from '../../shared/dom.js';
import { t } from '../i18n.js';
import { template } from '../template.js';
import { ask, editInline, iconButton, SettingsCard } from './card.js';

const maxCategory = 30;
const maxDepth = 3;

class CategoriesCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="category_settings.heading"></h2>
<p class="help" data-i18n="category_settings.help"></p>
<p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
<ul class="category-tree" data-ref="tree" data-testid="category-tree"></ul>
<p class="help" data-ref="empty" data-i18n="category_settings.empty"></p>
<form class="inline-form" data-ref="add" data-testid="category-add-form">
  <input name="name" maxlength="30" required autocomplete="off" data-i18n-attr="placeholder:category_settings.new_top;aria-label:category_settings.new_top" data-testid="category-add-input">
  <button type="submit" name="save" class="secondary" data-i18n="category_settings.add_top" data-testid="category-add"></button>
</form>
<p class="form-error" role="alert" data-ref="error" data-testid="category-error"></p>`);

  #categories = [];

  build() {
    this.onSubmit(this.ref('add'), () => this.#add(0, this.ref('add').elements.name.value.trim()));
  }

  relabel() {
    this.#render();
  }

  show(inbox) {
    super.show(inbox);
    this.ref('add').hidden = !this.editable;
    this.ref('add').reset();
  }

  async load() {
    const fresh = await this.call('GET', '/categories');
    if (fresh) this.#categories = fresh;
    this.#render();
  }

  #render() {
    if (!this.inbox) return;
    const editable = this.editable;
    const children = new Map();
    const sorted = [...this.#categories].sort((a, b) => a.position - b.position || a.id - b.id);
    for (const c of sorted) children.set(c.parent_id, [...(children.get(c.parent_id) ?? []), c]);
    const node = (c) => {
      const row = h('div', { class: 'category-row' },
        h('span', { class: 'category-name' }, c.name),
        editable && c.depth < maxDepth && h('button', {
          type: 'button', class: 'link', dataset: { testid: 'category-add-child' }, onclick: () => this.#addChild(li, c),
        }, t('category_settings.add_child')),
        editable && iconButton('✎', t('tools.rename', { name: c.name }), 'category-rename', () => this.#rename(row, c)),
        editable && iconButton('×', t('tools.delete', { name: c.name }), 'category-delete', () => this.#remove(c)));
      const kids = children.get(c.id) ?? [];
      const li = h('li', { dataset: { testid: 'category', categoryId: c.id, depth: c.depth } },
        row, kids.length > 0 && h('ul', {}, kids.map(node)));
      return li;
    };
    this.ref('tree').replaceChildren(...(children.get(0) ?? []).map(node));
    this.ref('empty').hidden = this.#categories.length > 0;
  }

  async #add(parentID, name) {
    if (!name) return false;
    const c = await this.call('POST', '/categories', { parent_id: parentID, name });
    if (!c) return false;
    if (!parentID) this.ref('add').reset();
    this.#categories = [...this.#categories, c];
    this.#render();
    return true;
  }

  #addChild(li, parent) {
    const host = h('div', { class: 'category-child' });
    li.append(host);
    editInline(host, { maxLength: maxCategory, label: t('category_settings.new_child', { name: parent.name }), prefix: 'category-child' },
      (name) => this.#add(parent.id, name), () => host.remove());
  }

  #rename(row, c) {
    editInline(row, { value: c.name, maxLength: maxCategory, label: t('tools.new_name'), prefix: 'category-rename' }, async (name) => {
      const saved = await this.call('PATCH', `/categories/${c.id}`, { name });
      if (!saved) return;
      this.#categories = this.#categories.map((x) => (x.id === c.id ? saved : x));
      this.#render();
    }, () => this.#render());
  }

  // #remove deletes a category without children; with children the
  // server refuses (409 category_has_children) and the card says so.
  async #remove(c) {
    if (!(await ask(t('category_settings.delete_confirm', { name: c.name }), t('tools.delete_yes')))) return;
    if ((await this.call('DELETE', `/categories/${c.id}`)) === undefined) return;
    this.#categories = this.#categories.filter((x) => x.id !== c.id);
    this.#render();
  }
}

customElements.define('sodam-settings-categories', CategoriesCard);
