// <sodam-settings-tags> is the tags card: customer tags and conversation
// tags side by side, each a <sodam-settings-tag-kind data-kind=KIND> (the
// one element, used twice). Managers and masters add, rename and delete
// tags; agents only read.
import { h } from '../../shared/dom.js';
import { locale, t } from '../i18n.js';
import { template } from '../template.js';
import { ask, editInline, iconButton, SettingsCard } from './card.js';

const maxTag = 20;

// TagKind is the tags of one kind (data-kind: customer or conversation).
class TagKind extends SettingsCard {
  static markup = template(`
<h3 data-ref="title"></h3>
<p class="help" data-ref="help"></p>
<ul class="chips" data-ref="list" data-testid="tag-list"></ul>
<p class="help" data-ref="empty" data-i18n="tag_settings.empty"></p>
<form class="inline-form" data-ref="add" data-testid="tag-add-form">
  <input name="name" maxlength="20" required autocomplete="off" data-i18n-attr="placeholder:tag_settings.new;aria-label:tag_settings.new" data-testid="tag-add-input">
  <button type="submit" name="save" class="secondary" data-i18n="tag_settings.add" data-testid="tag-add"></button>
</form>
<p class="form-error" role="alert" data-ref="error" data-testid="tag-error"></p>`);

  #tags = [];

  get #kind() {
    return this.dataset.kind;
  }

  build() {
    // The heading and help name the kind: tag_settings.customer(_help) or
    // tag_settings.conversation(_help).
    this.ref('title').dataset.i18n = `tag_settings.${this.#kind}`;
    this.ref('help').dataset.i18n = `tag_settings.${this.#kind}_help`;
    locale.apply(this);
    this.onSubmit(this.ref('add'), () => this.#add());
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
    this.#tags = (await this.call('GET', `/tags?kind=${this.#kind}`)) ?? [];
    this.#render();
  }

  #render() {
    if (!this.inbox) return;
    const editable = this.editable;
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

customElements.define('sodam-settings-tag-kind', TagKind);

class TagsCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="tag_settings.heading"></h2>
<p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
<div class="tag-kinds">
  <sodam-settings-tag-kind class="tag-kind" data-kind="customer" data-testid="tags-customer"></sodam-settings-tag-kind>
  <sodam-settings-tag-kind class="tag-kind" data-kind="conversation" data-testid="tags-conversation"></sodam-settings-tag-kind>
</div>`);

  get #kinds() {
    return this.querySelectorAll('sodam-settings-tag-kind');
  }

  show(inbox) {
    super.show(inbox);
    for (const kind of this.#kinds) kind.show(inbox);
  }

  load() {
    for (const kind of this.#kinds) kind.load();
  }
}

customElements.define('sodam-settings-tags', TagsCard);
