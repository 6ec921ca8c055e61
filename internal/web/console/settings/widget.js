// <sodam-settings-widget> is the widget's look and words: the workspace's
// name, the widget's title and colour, the sites allowed to embed it, the
// consent text, the greeting and the rating request's wording.
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

const defaultColor = '#1d6b58';

class WidgetCard extends SettingsCard {
  static markup = template(`
<form class="card" data-ref="form" data-testid="settings-form">
  <h2 data-i18n="settings.widget"></h2>
  <p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
  <fieldset data-gated>
    <label><span data-i18n="settings.name"></span><input name="name" maxlength="100" data-testid="settings-name"></label>
    <label><span data-i18n="settings.title"></span><input name="title" maxlength="100" data-testid="settings-title"></label>
    <label class="inline"><span data-i18n="settings.color"></span><input type="color" name="color" data-testid="settings-color"></label>
    <label>
      <span data-i18n="settings.origins"></span>
      <textarea name="allowed_origins" rows="4" spellcheck="false" data-testid="settings-origins"></textarea>
      <small class="help" data-i18n="settings.origins_help"></small>
    </label>
    <label>
      <span data-i18n="settings.consent"></span>
      <textarea name="consent_text" rows="6" data-testid="settings-consent"></textarea>
      <small class="help" data-i18n="settings.consent_help"></small>
    </label>
    <label>
      <span data-i18n="settings.greeting"></span>
      <textarea name="greeting" rows="3" maxlength="1000" data-testid="settings-greeting"></textarea>
      <small class="help" data-i18n="settings.greeting_help"></small>
    </label>
    <label>
      <span data-i18n="settings.rating_request"></span>
      <textarea name="rating_request" rows="2" maxlength="1000" data-i18n-attr="placeholder:settings.rating_request_default" data-testid="settings-rating-request"></textarea>
      <small class="help" data-i18n="settings.rating_request_help"></small>
    </label>
    <p class="form-error" role="alert" data-ref="form-error" data-testid="settings-error"></p>
    <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="settings-save"></button>
  </fieldset>
</form>`);

  build() {
    this.onSubmit(this.ref('form'), () => this.#save());
  }

  fill(ws) {
    const f = this.ref('form').elements;
    f.name.value = ws.name;
    f.title.value = ws.title;
    f.color.value = /^#[0-9a-f]{6}$/i.test(ws.color) ? ws.color : defaultColor;
    f.allowed_origins.value = (ws.allowed_origins ?? []).join('\n');
    f.consent_text.value = ws.consent_text;
    this.#fillTexts(ws.settings);
  }

  async #save() {
    const f = this.ref('form').elements;
    const patch = {
      name: f.name.value.trim(),
      title: f.title.value.trim(),
      color: f.color.value,
      allowed_origins: f.allowed_origins.value.split('\n').map((s) => s.trim()).filter(Boolean),
      consent_text: f.consent_text.value.trim(),
      settings: { greeting: f.greeting.value.trim(), rating_request: f.rating_request.value.trim() },
    };
    await this.patch(patch, f.save, this.ref('form-error'), (ws) => {
      f.name.value = ws.name;
      f.title.value = ws.title;
      f.allowed_origins.value = (ws.allowed_origins ?? []).join('\n');
      f.consent_text.value = ws.consent_text;
      this.#fillTexts(ws.settings);
      toast(t('settings.saved'));
    });
  }

  // #fillTexts shows the greeting and the rating request's wording; an
  // empty rating request means the widget's own words (the placeholder).
  #fillTexts(s) {
    const f = this.ref('form').elements;
    f.greeting.value = s.greeting ?? '';
    f.rating_request.value = s.rating_request ?? '';
  }
}

customElements.define('sodam-settings-widget', WidgetCard);
