// Pickers shared by the details panel and the wrap-up dialog: the
// category (처리유형) as three cascading selects, and tags as removable
// chips with an input that completes from the workspace's tags. Both only
// choose among what settings manage; neither creates anything.
import { h } from '../shared/dom.js';
import { t } from './i18n.js';

// loadChoices fetches the active categories and both kinds of tags. It is
// called whenever a picker is about to be used, since settings may have
// changed them meanwhile (there is no event for them).
export async function loadChoices(inbox) {
  const [categories, customer, conversation] = await Promise.all([
    inbox.request('GET', '/categories'),
    inbox.request('GET', '/tags?kind=customer'),
    inbox.request('GET', '/tags?kind=conversation'),
  ]);
  return { categories, customer, conversation };
}

const levels = [1, 2, 3];

// CategoryPicker shows a category as large / medium / small selects; each
// lists the children of the one before it. Its value is the deepest
// chosen category's id (0 for none). A category deleted since it was set
// has no select to show it in: its path is shown instead and kept until
// the agent chooses another.
export class CategoryPicker {
  #selects;
  #kept;
  #byId = new Map();
  #children = new Map(); // parent id (0 for the top) → categories
  #loaded = false;
  #id = 0;
  #path = [];
  #off = false;

  constructor(box, testid, onChange) {
    this.#selects = levels.map((level) => h('select', {
      dataset: { testid: `${testid}-${level}`, level },
      onchange: () => {
        this.#choose(level);
        onChange?.();
      },
    }));
    this.#kept = h('small', { class: 'help', dataset: { testid: `${testid}-kept` }, hidden: true });
    box.replaceChildren(h('div', { class: 'category-picker' }, this.#selects), this.#kept);
    this.relabel();
  }

  get value() {
    return this.#id;
  }

  // path names the chosen category from the top, as conversations carry it.
  get path() {
    return this.#path;
  }

  setCategories(list) {
    this.#byId = new Map(list.map((c) => [c.id, c]));
    this.#children = new Map();
    for (const c of [...list].sort((a, b) => a.position - b.position || a.id - b.id)) {
      const siblings = this.#children.get(c.parent_id) ?? [];
      siblings.push(c);
      this.#children.set(c.parent_id, siblings);
    }
    this.#loaded = true;
    this.#show();
  }

  set(id, path = []) {
    this.#id = id || 0;
    this.#path = path ?? [];
    this.#show();
  }

  set disabled(on) {
    this.#off = on;
    this.#show();
  }

  relabel() {
    this.#selects.forEach((s, i) => s.setAttribute('aria-label', t(`category.level${i + 1}`)));
    this.#show();
  }

  // #chain lists the categories from the top down to id; empty when id is
  // none or not (any more) among the active ones.
  #chain(id) {
    const chain = [];
    for (let c = this.#byId.get(id); c; c = this.#byId.get(c.parent_id)) chain.unshift(c);
    return chain;
  }

  #choose(level) {
    const chosen = this.#selects.slice(0, level).map((s) => Number(s.value)).filter(Boolean);
    this.#id = chosen.at(-1) ?? 0;
    this.#path = this.#chain(this.#id).map((c) => c.name);
    this.#show();
  }

  #show() {
    const chain = this.#chain(this.#id);
    let parent = 0;
    this.#selects.forEach((select, i) => {
      const options = i === 0 || chain[i - 1] ? this.#children.get(parent) ?? [] : [];
      select.replaceChildren(h('option', { value: '' }, t(`category.level${i + 1}`)),
        ...options.map((c) => h('option', { value: c.id }, c.name)));
      select.value = chain[i] ? String(chain[i].id) : '';
      select.disabled = this.#off || options.length === 0;
      parent = chain[i]?.id ?? -1;
    });
    const gone = this.#loaded && this.#id !== 0 && chain.length === 0;
    this.#kept.hidden = !gone;
    this.#kept.textContent = gone ? t('category.kept', { path: this.#path.join(' > ') }) : '';
  }
}

let lists = 0;

// TagPicker holds chosen tags as chips. The input completes from the
// kind's tags (a datalist); Enter, the add button or picking a suggestion
// adds the tag of that exact name. onChange runs after each add or remove.
export class TagPicker {
  #chosen = []; // [{id, name}]
  #options = [];
  #chips;
  #input;
  #datalist;
  #add;
  #error;
  #onChange;

  constructor(box, onChange) {
    this.#onChange = onChange;
    const listID = `tag-options-${++lists}`;
    this.#chips = h('ul', { class: 'tag-chips', dataset: { testid: 'tag-chips' } });
    this.#datalist = h('datalist', { id: listID });
    this.#input = h('input', {
      list: listID, autocomplete: 'off', maxlength: 20, dataset: { testid: 'tag-picker-input' },
      onkeydown: (e) => {
        // Enter while a Korean syllable is being composed finishes it;
        // only the next Enter adds.
        if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229) return;
        e.preventDefault();
        this.#addTyped();
      },
      // Nor may Enter submit the form around the picker (some input
      // methods and drivers send the keypress on their own).
      onkeypress: (e) => {
        if (e.key === 'Enter') e.preventDefault();
      },
      oninput: (e) => {
        this.#error.textContent = '';
        // Choosing a suggestion replaces the text at once: add it.
        if (e.inputType === 'insertReplacementText' || e.inputType === undefined) this.#addTyped(true);
      },
    });
    this.#add = h('button', { type: 'button', class: 'secondary small', dataset: { testid: 'tag-picker-add' }, onclick: () => this.#addTyped() });
    this.#error = h('small', { class: 'form-error', role: 'alert', dataset: { testid: 'tag-picker-error' } });
    box.replaceChildren(this.#chips, h('div', { class: 'tag-add' }, this.#input, this.#add), this.#datalist, this.#error);
    this.relabel();
  }

  get value() {
    return this.#chosen.map((tag) => tag.id);
  }

  get tags() {
    return [...this.#chosen];
  }

  setOptions(tags) {
    this.#options = tags;
    this.#render();
  }

  set(tags) {
    this.#chosen = [...(tags ?? [])];
    this.#render();
  }

  // clear forgets a half-typed name, for another conversation.
  clear() {
    this.#input.value = '';
    this.#error.textContent = '';
  }

  set disabled(on) {
    this.#input.disabled = on;
    this.#add.disabled = on;
    for (const b of this.#chips.querySelectorAll('button')) b.disabled = on;
  }

  relabel() {
    this.#input.placeholder = t('tags.add_placeholder');
    this.#input.setAttribute('aria-label', t('tags.add_placeholder'));
    this.#add.textContent = t('tags.add');
    this.#render();
  }

  #addTyped(quiet = false) {
    const name = this.#input.value.trim();
    if (!name) return;
    const tag = this.#options.find((o) => o.name === name) ?? this.#options.find((o) => o.name.toLowerCase() === name.toLowerCase());
    if (!tag) {
      if (!quiet) this.#error.textContent = t('tags.unknown', { name });
      return;
    }
    this.#input.value = '';
    if (this.#chosen.some((c) => c.id === tag.id)) return;
    this.#chosen.push({ id: tag.id, name: tag.name });
    this.#render();
    this.#onChange?.();
  }

  #render() {
    const disabled = this.#input?.disabled;
    this.#chips.replaceChildren(...this.#chosen.map((tag) => h('li', { class: 'tag-chip', dataset: { testid: 'tag-chip', tagId: tag.id, name: tag.name } },
      h('span', {}, tag.name),
      h('button', {
        type: 'button', class: 'chip-remove', disabled, 'aria-label': t('tags.remove', { name: tag.name }), title: t('tags.remove', { name: tag.name }),
        dataset: { testid: 'tag-chip-remove' },
        onclick: () => {
          this.#chosen = this.#chosen.filter((c) => c.id !== tag.id);
          this.#render();
          this.#onChange?.();
        },
      }, '×'))));
    const chosen = new Set(this.value);
    this.#datalist.replaceChildren(...this.#options.filter((o) => !chosen.has(o.id)).map((o) => h('option', { value: o.name })));
  }
}
