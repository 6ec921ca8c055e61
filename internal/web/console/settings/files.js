// <sodam-settings-files> is which files visitors and agents may send: the
// largest size, and a checkbox per extension Sodam can check, grouped by
// kind, with a switch for the whole kind.
import { h } from '../../shared/dom.js';
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

// fileTable is the §3.4 table: every extension Sodam can check, by kind
// (web_test.go keeps it equal to chat.KnownExtensions). A workspace allows
// a subset of it.
const fileTable = {
  image: ['jpg', 'jpeg', 'gif', 'bmp', 'png'],
  video: ['m4v', 'avi', 'asf', 'wmv', 'mkv', 'mpg', 'mpeg', 'mp4', 'mov', 'flv', 'ogv', 'ts'],
  audio: ['mp3', 'wav', 'flac', 'tta', 'tak', 'aac', 'wma', 'ogg', 'm4a'],
  document: ['pdf', 'ods', 'csv', 'tsv', 'xls', 'xlsx', 'numbers', 'cell', 'odp', 'ppt', 'pptx', 'key', 'show',
    'doc', 'docx', 'hwp', 'txt', 'rtf', 'xml', 'wks', 'wps', 'xps', 'md', 'odf', 'odt', 'pages', 'gz', 'bz2',
    'rar', '7z', 'zip', 'lzh', 'alz', 'psd', 'ai', 'sketch', 'tif', 'tiff', 'tga', 'webp'],
};

class FilesCard extends SettingsCard {
  static markup = template(`
<form class="card" data-ref="files" data-testid="attachments-form">
  <h2 data-i18n="files.heading"></h2>
  <p class="help" data-i18n="files.help"></p>
  <p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
  <fieldset data-gated>
    <label>
      <span data-i18n="files.max_size"></span>
      <input type="number" name="max_size_mb" min="1" max="2048" required inputmode="numeric" class="short" data-testid="settings-max-file-size">
      <small class="help" data-i18n="files.max_size_help"></small>
    </label>
    <div class="file-kinds" data-ref="file-kinds" data-testid="attachments-extensions"></div>
    <p class="form-error" role="alert" data-ref="files-error" data-testid="attachments-error"></p>
    <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="attachments-save"></button>
  </fieldset>
</form>`);

  build() {
    this.onSubmit(this.ref('files'), () => this.#save());
    this.ref('file-kinds').replaceChildren(...Object.entries(fileTable).map(([kind, exts]) =>
      h('fieldset', { class: 'file-kind', dataset: { kind } },
        h('legend', {},
          h('label', { class: 'check' },
            h('input', { type: 'checkbox', class: 'kind-all', dataset: { testid: 'settings-extension-kind', kind }, onchange: (e) => this.#toggleKind(kind, e.target.checked) }),
            h('span', { class: 'kind-name' }))),
        h('div', { class: 'extensions' }, exts.map((ext) => h('label', { class: 'check extension' },
          h('input', { type: 'checkbox', name: 'extension', value: ext, dataset: { testid: 'settings-extension', kind }, onchange: () => this.#kindChanged(kind) }),
          h('span', {}, '.' + ext)))))));
    this.relabel();
  }

  relabel() {
    for (const set of this.ref('file-kinds').children) set.querySelector('.kind-name').textContent = t('file_kind.' + set.dataset.kind);
  }

  fill(ws) {
    const a = ws.settings.attachments;
    if (!a) return;
    this.ref('files').elements.max_size_mb.value = a.max_size_mb;
    for (const kind of Object.keys(fileTable)) {
      const allowed = new Set(a.extensions?.[kind] ?? []);
      for (const box of this.#extensionBoxes(kind)) box.checked = allowed.has(box.value);
      this.#kindChanged(kind);
    }
  }

  #extensionBoxes(kind) {
    return [...this.ref('file-kinds').querySelectorAll(`input[name=extension][data-kind=${kind}]`)];
  }

  #toggleKind(kind, on) {
    for (const box of this.#extensionBoxes(kind)) box.checked = on;
    this.#kindChanged(kind);
  }

  // #kindChanged shows the kind's switch on, off, or mixed.
  #kindChanged(kind) {
    const boxes = this.#extensionBoxes(kind);
    const on = boxes.filter((b) => b.checked).length;
    const all = this.ref('file-kinds').querySelector(`.kind-all[data-kind=${kind}]`);
    all.checked = on === boxes.length;
    all.indeterminate = on > 0 && on < boxes.length;
  }

  async #save() {
    const f = this.ref('files').elements;
    const extensions = Object.fromEntries(Object.keys(fileTable).map((kind) =>
      [kind, this.#extensionBoxes(kind).filter((b) => b.checked).map((b) => b.value)]));
    const attachments = { max_size_mb: Number(f.max_size_mb.value), extensions };
    await this.patch({ settings: { attachments } }, f.save, this.ref('files-error'), (ws) => {
      this.fill(ws);
      toast(t('settings.saved'));
    });
  }
}

customElements.define('sodam-settings-files', FilesCard);
