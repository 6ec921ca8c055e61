// The settings of the agents' tools, each a card on the settings page:
// <sodam-tag-settings> (customer or conversation tags, by data-kind),
// <sodam-category-settings> (the 처리유형 tree, up to three levels) and
// <sodam-canned-settings> (canned responses, shared and personal, with
// favourites). Managers and masters edit tags and categories and the
// shared responses; every agent keeps personal responses and favourites.
// The settings page calls show(inbox) on each when it opens.
import { h } from '../shared/dom.js';
import { formError, locale, t } from './i18n.js';
import { toast } from './toast.js';

const maxTag = 20;
const maxCategory = 30;
const maxDepth = 3;

// ask shows a modal question and resolves to whether the agent confirmed.
function ask(question, yes) {
  let dialog = document.getElementById('tools-confirm');
  if (!dialog) {
    dialog = h('dialog', { id: 'tools-confirm', class: 'dialog', dataset: { testid: 'tools-confirm' } },
      h('form', { method: 'dialog' },
        h('p', { class: 'question' }),
        h('div', { class: 'dialog-actions' },
          h('button', { value: 'no', class: 'secondary', dataset: { testid: 'tools-confirm-cancel' } }),
          h('button', { value: 'yes', class: 'danger', dataset: { testid: 'tools-confirm-yes' } }))));
    document.body.append(dialog);
  }
  dialog.querySelector('.question').textContent = question;
  dialog.querySelector('[value=no]').textContent = t('conv.cancel');
  dialog.querySelector('[value=yes]').textContent = yes;
  dialog.returnValue = '';
  dialog.showModal();
  dialog.querySelector('[value=no]').focus();
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
  });
}

// editInline puts a one-line form in host, for a new name or a new child:
// Enter or the save button calls save(name), Escape or cancel calls
// cancel. Its test IDs are prefix-input, prefix-save and prefix-cancel.
function editInline(host, { value = '', maxLength, label, prefix }, save, cancel) {
  const input = h('input', {
    name: 'name', value, maxlength: maxLength, required: true, autocomplete: 'off', 'aria-label': label, placeholder: label,
    dataset: { testid: prefix + '-input' },
  });
  const submit = h('button', { type: 'submit', class: 'primary', dataset: { testid: prefix + '-save' } }, t('settings.save'));
  const form = h('form', { class: 'inline-form' }, input, submit,
    h('button', { type: 'button', class: 'secondary', dataset: { testid: prefix + '-cancel' }, onclick: cancel }, t('conv.cancel')));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = input.value.trim();
    if (!name) return;
    submit.disabled = true;
    try {
      await save(name);
    } finally {
      submit.disabled = false;
    }
  });
  input.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape') return;
    e.preventDefault();
    cancel();
  });
  host.replaceChildren(form);
  input.focus();
  input.select();
}

// iconButton is a small button known by its label (tooltip and name).
function iconButton(text, labelText, testid, onclick) {
  return h('button', { type: 'button', class: 'icon small', title: labelText, 'aria-label': labelText, dataset: { testid }, onclick }, text);
}

// Base holds what the three cards share: the inbox, refs, the error box
// and a request that shows its refusal there.
class Base extends HTMLElement {
  inbox = null;

  ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  // call sends a request and resolves to its answer (null for none); a
  // refusal shows in the card's error box (with friendlier words for a
  // duplicate, when given) and resolves to undefined.
  async call(method, path, body, duplicate) {
    const box = this.ref('error');
    box.replaceChildren();
    try {
      return await this.inbox.request(method, path, body);
    } catch (err) {
      formError(box, err);
      if (err.code === 'conflict' && duplicate) box.replaceChildren(duplicate);
      return undefined;
    }
  }
}

class TagSettings extends Base {
  #tags = [];

  connectedCallback() {
    this.ref('add').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#add();
    });
    locale.addEventListener('change', () => this.#render());
  }

  get #kind() {
    return this.dataset.kind;
  }

  async show(inbox) {
    this.inbox = inbox;
    this.ref('add').hidden = !inbox.seesAll;
    this.ref('add').reset();
    this.#tags = (await this.call('GET', `/tags?kind=${this.#kind}`)) ?? [];
    this.#render();
  }

  #render() {
    if (!this.inbox) return;
    const editable = this.inbox.seesAll;
    this.ref('list').replaceChildren(...this.#tags.map((tag) => {
      const li = h('li', { class: 'chip-item', dataset: { testid: 'tag', tagId: tag.id } },
        h('span', { class: 'tag-name' }, tag.name),
        editable && iconButton('✎', t('tools.rename', { name: tag.name }), 'tag-rename', () => this.#rename(li, tag)),
        editable && iconButton('×', t('tools.delete', { name: tag.name }), 'tag-delete', () => this.#remove(tag)));
      return li;
    }));
    this.ref('empty').hidden = this.#tags.length > 0;
  }

  async #add() {
    const form = this.ref('add');
    const name = form.elements.name.value.trim();
    if (!name) return;
    form.elements.save.disabled = true;
    const tag = await this.call('POST', '/tags', { kind: this.#kind, name }, t('tag_settings.duplicate', { name }));
    form.elements.save.disabled = false;
    if (!tag) return;
    form.reset();
    this.#tags = [...this.#tags, tag].sort((a, b) => a.name.localeCompare(b.name, locale.lang));
    this.#render();
    form.elements.name.focus();
  }

  #rename(li, tag) {
    editInline(li, { value: tag.name, maxLength: maxTag, label: t('tools.new_name'), prefix: 'tag-rename' }, async (name) => {
      const saved = await this.call('PATCH', `/tags/${tag.id}`, { name }, t('tag_settings.duplicate', { name }));
      if (!saved) return;
      this.#tags = this.#tags.map((x) => (x.id === tag.id ? saved : x));
      this.#render();
    }, () => this.#render());
  }

  async #remove(tag) {
    if (!(await ask(t('tag_settings.delete_confirm', { name: tag.name }), t('tools.delete_yes')))) return;
    if ((await this.call('DELETE', `/tags/${tag.id}`)) === undefined) return;
    this.#tags = this.#tags.filter((x) => x.id !== tag.id);
    this.#render();
  }
}

class CategorySettings extends Base {
  #categories = [];

  connectedCallback() {
    this.ref('add').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#add(0, this.ref('add').elements.name.value.trim());
    });
    locale.addEventListener('change', () => this.#render());
  }

  async show(inbox) {
    this.inbox = inbox;
    this.ref('add').hidden = !inbox.seesAll;
    this.ref('add').reset();
    await this.#load();
  }

  async #load() {
    const fresh = await this.call('GET', '/categories');
    if (fresh) this.#categories = fresh;
    this.#render();
  }

  #render() {
    if (!this.inbox) return;
    const editable = this.inbox.seesAll;
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

class CannedSettings extends Base {
  #items = [];
  #editing = null; // the response in the form, or null for a new one

  connectedCallback() {
    const form = this.ref('form');
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#save();
    });
    form.elements.cancel.addEventListener('click', () => this.#resetForm());
    locale.addEventListener('change', () => {
      this.#render();
      this.#titleForm();
    });
  }

  async show(inbox) {
    this.inbox = inbox;
    this.#resetForm();
    await this.#load();
  }

  async #load() {
    const fresh = await this.call('GET', '/canned');
    if (fresh) this.#items = fresh;
    this.#render();
  }

  // Shared responses are the managers'; personal ones their owner's.
  #mayEdit(c) {
    return c.shared ? this.inbox.seesAll : c.owner_id === this.inbox.agentId;
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
    form.elements.shared.disabled = !this.inbox?.seesAll;
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
    await this.#load();
  }

  async #favourite(c, button) {
    button.disabled = true;
    if ((await this.call('PUT', `/canned/${c.id}/favourite`, { on: !c.favourite })) !== undefined) await this.#load();
    button.disabled = false;
  }

  async #remove(c) {
    if (!(await ask(t('canned.delete_confirm', { title: c.title }), t('tools.delete_yes')))) return;
    if ((await this.call('DELETE', `/canned/${c.id}`)) === undefined) return;
    if (this.#editing?.id === c.id) this.#resetForm();
    await this.#load();
  }
}

customElements.define('sodam-tag-settings', TagSettings);
customElements.define('sodam-category-settings', CategorySettings);
customElements.define('sodam-canned-settings', CannedSettings);
