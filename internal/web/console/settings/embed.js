// <sodam-settings-embed> gives the embed snippet to copy, a link to the
// try-it page and, to masters only, the identity secret that signs
// logged-in visitors, with a button that replaces it.
import { locale, t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard, ask } from './card.js';

class EmbedCard extends SettingsCard {
  static markup = template(`
<h2 data-i18n="settings.embed"></h2>
<p class="help" data-i18n="settings.embed_help"></p>
<div class="copy-box">
  <textarea data-ref="snippet" rows="3" readonly spellcheck="false" data-i18n-attr="aria-label:settings.embed" data-testid="embed-snippet"></textarea>
  <button type="button" class="secondary" data-ref="copy" data-i18n="settings.copy" data-testid="embed-copy"></button>
</div>
<p><a data-ref="try" href="/console/try" target="_blank" rel="noopener" data-i18n="settings.try" data-testid="settings-try"></a></p>
<div data-ref="secret-box" hidden>
  <h3><label for="identity-secret" data-i18n="settings.secret"></label></h3>
  <p class="help" data-i18n="settings.secret_help"></p>
  <div class="copy-box">
    <input id="identity-secret" type="password" readonly spellcheck="false" data-ref="secret" data-testid="identity-secret">
    <button type="button" class="secondary" data-ref="reveal" data-i18n="settings.show" data-testid="identity-secret-reveal"></button>
  </div>
  <p><button type="button" class="secondary" data-ref="rotate" data-i18n="settings.secret_rotate" data-testid="identity-secret-rotate"></button></p>
</div>`);

  build() {
    this.ref('copy').addEventListener('click', () => this.#copy());
    this.ref('reveal').addEventListener('click', () => this.#reveal());
    this.ref('rotate').addEventListener('click', () => this.#rotate());
  }

  relabel() {
    this.#labelReveal();
  }

  show(inbox) {
    super.show(inbox);
    this.ref('try').href = `/console/try?ws=${inbox.workspaceId}`;
  }

  fill(ws, embed) {
    this.ref('snippet').value = embed.snippet;
    this.ref('secret-box').hidden = !ws.identity_secret;
    this.ref('secret').value = ws.identity_secret ?? '';
  }

  // #copy uses the Clipboard API where the page is a secure context, and
  // falls back to selecting the text for pages served over plain HTTP.
  async #copy() {
    const box = this.ref('snippet');
    try {
      await navigator.clipboard.writeText(box.value);
    } catch {
      box.select();
      document.execCommand('copy');
    }
    toast(t('settings.copied'));
  }

  // #rotate replaces the secret, once confirmed, and shows the new one
  // for the site's server.
  async #rotate() {
    if (!(await ask(t('settings.secret_rotate_confirm'), t('settings.secret_rotate_yes')))) return;
    const button = this.ref('rotate');
    button.disabled = true;
    try {
      const ws = await this.inbox.request('POST', '/identity-secret');
      this.inbox.setWorkspace(ws);
      const secret = this.ref('secret');
      secret.value = ws.identity_secret;
      secret.type = 'text';
      this.#labelReveal();
      toast(t('settings.secret_rotated'));
    } catch (err) {
      toast(locale.errorText(err));
    } finally {
      button.disabled = false;
    }
  }

  #reveal() {
    const secret = this.ref('secret');
    secret.type = secret.type === 'password' ? 'text' : 'password';
    this.#labelReveal();
  }

  #labelReveal() {
    this.ref('reveal').textContent = t(this.ref('secret').type === 'password' ? 'settings.show' : 'settings.hide');
  }
}

customElements.define('sodam-settings-embed', EmbedCard);
