// <sodam-settings> is the settings page: the embed snippet to copy, the
// identity secret (masters), and the widget's look, allowed origins and
// consent text (managers and masters may edit; agents only read).
import { locale, t } from './i18n.js';
import { toast } from './toast.js';

const defaultColor = '#1d6b58';

class Settings extends HTMLElement {
  #inbox = null;

  connectedCallback() {
    this.#ref('copy').addEventListener('click', () => this.#copy());
    this.#ref('reveal').addEventListener('click', () => this.#reveal());
    this.#ref('form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.#save();
    });
    locale.addEventListener('change', () => this.#labelReveal());
  }

  // show loads the workspace's settings each time the page is opened.
  async show(inbox) {
    this.#inbox = inbox;
    this.#ref('try').href = `/console/try?ws=${inbox.workspaceId}`;
    this.#ref('fields').disabled = !inbox.seesAll;
    this.#ref('form').elements.save.hidden = !inbox.seesAll;
    this.#ref('readonly').hidden = inbox.seesAll;
    try {
      const [embed, workspace] = await Promise.all([
        inbox.request('GET', '/embed'),
        inbox.request('GET', ''),
      ]);
      this.#ref('snippet').value = embed.snippet;
      this.#fill(workspace);
    } catch (err) {
      toast(locale.errorText(err));
    }
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  #fill(ws) {
    const f = this.#ref('form').elements;
    f.name.value = ws.name;
    f.title.value = ws.title;
    f.color.value = /^#[0-9a-f]{6}$/i.test(ws.color) ? ws.color : defaultColor;
    f.allowed_origins.value = (ws.allowed_origins ?? []).join('\n');
    f.consent_text.value = ws.consent_text;
    this.#ref('secret-box').hidden = !ws.identity_secret;
    this.#ref('secret').value = ws.identity_secret ?? '';
  }

  async #save() {
    const f = this.#ref('form').elements;
    const patch = {
      name: f.name.value.trim(),
      title: f.title.value.trim(),
      color: f.color.value,
      allowed_origins: f.allowed_origins.value.split('\n').map((s) => s.trim()).filter(Boolean),
      consent_text: f.consent_text.value.trim(),
    };
    f.save.disabled = true;
    try {
      const ws = await this.#inbox.request('PATCH', '', patch);
      this.#fill(ws);
      this.dispatchEvent(new CustomEvent('workspace', { bubbles: true, detail: ws }));
      toast(t('settings.saved'));
    } catch (err) {
      toast(locale.errorText(err));
    } finally {
      f.save.disabled = false;
    }
  }

  // #copy uses the Clipboard API where the page is a secure context, and
  // falls back to selecting the text for pages served over plain HTTP.
  async #copy() {
    const box = this.#ref('snippet');
    try {
      await navigator.clipboard.writeText(box.value);
    } catch {
      box.select();
      document.execCommand('copy');
    }
    toast(t('settings.copied'));
  }

  #reveal() {
    const secret = this.#ref('secret');
    secret.type = secret.type === 'password' ? 'text' : 'password';
    this.#labelReveal();
  }

  #labelReveal() {
    this.#ref('reveal').textContent = t(this.#ref('secret').type === 'password' ? 'settings.show' : 'settings.hide');
  }
}

customElements.define('sodam-settings', Settings);
