// What the settings page's cards share. Each card is a custom element in a
// module of its own, with its markup in a template beside its code, stamped
// when the card is first connected. Each time the page opens it calls, on
// every card:
//   show(inbox)             the agent's role gates the card (managers and
//                           masters edit, agents only read) and old
//                           refusals go;
//   fill(workspace, embed)  the workspace just read, for the cards that
//                           show its settings;
//   load()                  what a card reads for itself (tags, …).
// attach(inbox) follows a workspace's events; it is called again when the
// agent switches workspace. Also here: the confirmation dialog, the inline
// rename form and the small icon buttons the cards use.
import { h } from '../../shared/dom.js';
import { formError, locale, t } from '../i18n.js';
import { stamp } from '../template.js';
import { toast } from '../toast.js';

export class SettingsCard extends HTMLElement {
  // markup is the card's template (template.js), set by each card.
  static markup = null;
  inbox = null;
  #built = false;

  connectedCallback() {
    if (this.#built) return;
    this.#built = true;
    stamp(this, this.constructor.markup);
    this.build();
    locale.addEventListener('change', () => this.relabel());
  }

  // build binds the card's controls, once.
  build() {}

  // relabel redraws, in the new language, what the card wrote itself.
  relabel() {}

  attach(inbox) {
    this.inbox = inbox;
  }

  show(inbox) {
    this.inbox = inbox;
    this.gate();
  }

  fill() {}

  load() {}

  get editable() {
    return Boolean(this.inbox?.seesAll);
  }

  ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  // gate lets managers and masters edit: fieldsets marked data-gated are
  // disabled for agents, their save buttons hidden, and the read-only note
  // shown instead. Refusals from before are cleared.
  gate() {
    const editable = this.editable;
    for (const fields of this.querySelectorAll('[data-gated]')) fields.disabled = !editable;
    for (const note of this.querySelectorAll('.readonly-note')) note.hidden = editable;
    for (const button of this.querySelectorAll('[data-gated] [type=submit]')) button.hidden = !editable;
    for (const el of this.querySelectorAll('.form-error')) el.replaceChildren();
  }

  // onSubmit calls save instead of submitting form.
  onSubmit(form, save) {
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      save();
    });
  }

  // patch sends a workspace change and shows a refusal in errorBox, with
  // the server's words as the detail (in the toast when there is no box).
  async patch(patch, button, errorBox, done) {
    errorBox?.replaceChildren();
    if (button) button.disabled = true;
    try {
      const ws = await this.inbox.request('PATCH', '', patch);
      this.inbox.setWorkspace(ws);
      done(ws);
      return true;
    } catch (err) {
      if (errorBox) formError(errorBox, err);
      else toast(locale.errorText(err));
      return false;
    } finally {
      if (button) button.disabled = false;
    }
  }

  // call sends a request and resolves to its answer (null for none); a
  // refusal shows in the card's error box (data-ref=error, with friendlier
  // words for a duplicate, when given) and resolves to undefined.
  async call(method, path, body, duplicate) {
    const box = this.ref('error');
    box.replaceChildren();
    try {
      return await this.inbox.request(method, path, body);
    } catch (err) {
      formError(box, err);
      if (err.code === 'name_in_use' && duplicate) box.replaceChildren(duplicate);
      return undefined;
    }
  }
}

// ask shows a modal question and resolves to whether the agent confirmed.
export function ask(question, yes) {
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
export function editInline(host, { value = '', maxLength, label, prefix }, save, cancel) {
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
export function iconButton(text, labelText, testid, onclick) {
  return h('button', { type: 'button', class: 'icon small', title: labelText, 'aria-label': labelText, dataset: { testid }, onclick }, text);
}
