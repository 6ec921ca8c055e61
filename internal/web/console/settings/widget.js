// <sodam-settings-widget> is the widget's look and words: the workspace's
// name, the widget's title and colour, the launcher's side and offset, the
// widget's language, the sites allowed to embed it, the consent text, the
// greeting and the rating request's wording, and the title, greeting,
// consent text and rating request in Korean and in English (settings.widget; an empty one
// falls back to the workspace's own).
import { t } from '../i18n.js';
import { template } from '../template.js';
import { toast } from '../toast.js';
import { SettingsCard } from './card.js';

const defaultColor = '#1d6b58';
const languages = ['ko', 'en'];
const textFields = ['title', 'greeting', 'consent', 'rating_request'];

// languageTexts is the wording in one language, as settings.widget.texts
// holds it, under legend; empty fields use the workspace's own above.
function languageTexts(lang, legend) {
  return `
    <fieldset class="lang-texts" data-testid="settings-texts-${lang}">
      ${legend}
      <small class="help" data-i18n="settings.texts_help"></small>
      <label><span data-i18n="settings.title"></span><input name="${lang}_title" maxlength="100" data-testid="settings-${lang}-title"></label>
      <label><span data-i18n="settings.greeting"></span><textarea name="${lang}_greeting" rows="2" maxlength="1000" data-testid="settings-${lang}-greeting"></textarea></label>
      <label><span data-i18n="settings.consent"></span><textarea name="${lang}_consent" rows="3" maxlength="5000" data-testid="settings-${lang}-consent"></textarea></label>
      <label><span data-i18n="settings.rating_request"></span><textarea name="${lang}_rating_request" rows="2" maxlength="1000" data-testid="settings-${lang}-rating-request"></textarea></label>
    </fieldset>`;
}

class WidgetCard extends SettingsCard {
  static markup = template(`
<form class="card" data-ref="form" data-testid="settings-form">
  <h2 data-i18n="settings.widget"></h2>
  <p class="help readonly-note" data-i18n="settings.readonly" hidden></p>
  <fieldset data-gated>
    <label><span data-i18n="settings.name"></span><input name="name" maxlength="100" data-testid="settings-name"></label>
    <label><span data-i18n="settings.title"></span><input name="title" maxlength="100" data-testid="settings-title"></label>
    <label class="inline"><span data-i18n="settings.color"></span><input type="color" name="color" data-testid="settings-color"></label>
    <div class="field-row">
      <label>
        <span data-i18n="settings.widget_position"></span>
        <select name="position" data-testid="settings-widget-position">
          <option value="right" data-i18n="settings.widget_right"></option>
          <option value="left" data-i18n="settings.widget_left"></option>
        </select>
      </label>
      <label><span data-i18n="settings.widget_offset_x"></span><input type="number" name="offset_x" min="0" max="300" step="1" required class="short" data-testid="settings-widget-offset-x"></label>
      <label><span data-i18n="settings.widget_offset_y"></span><input type="number" name="offset_y" min="0" max="300" step="1" required class="short" data-testid="settings-widget-offset-y"></label>
    </div>
    <small class="help" data-i18n="settings.widget_offset_help"></small>
    <label>
      <span data-i18n="settings.widget_language"></span>
      <select name="language" class="medium" data-testid="settings-widget-language">
        <option value="" data-i18n="settings.widget_language_browser"></option>
        <option value="ko" lang="ko">한국어</option>
        <option value="en" lang="en">English</option>
      </select>
    </label>
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
    ${languageTexts('ko', '<legend data-i18n="settings.texts_ko"></legend>')}
    ${languageTexts('en', '<legend data-i18n="settings.texts_en"></legend>')}
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
      settings: { greeting: f.greeting.value.trim(), rating_request: f.rating_request.value.trim(), widget: this.#widget() },
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

  // #widget is settings.widget as the form holds it.
  #widget() {
    const f = this.ref('form').elements;
    const texts = {};
    for (const lang of languages) {
      texts[lang] = {};
      for (const field of textFields) texts[lang][field] = f[`${lang}_${field}`].value.trim();
    }
    return { position: f.position.value, offset_x: Number(f.offset_x.value), offset_y: Number(f.offset_y.value), language: f.language.value, texts };
  }

  // #fillTexts shows the greeting and the rating request's wording; an
  // empty rating request means the widget's own words (the placeholder).
  #fillTexts(s) {
    const f = this.ref('form').elements;
    f.greeting.value = s.greeting ?? '';
    f.rating_request.value = s.rating_request ?? '';
    const w = s.widget ?? {};
    f.position.value = w.position || 'right';
    f.offset_x.value = w.offset_x ?? 20;
    f.offset_y.value = w.offset_y ?? 20;
    f.language.value = w.language ?? '';
    for (const lang of languages) {
      for (const field of textFields) f[`${lang}_${field}`].value = w.texts?.[lang]?.[field] ?? '';
    }
  }
}

customElements.define('sodam-settings-widget', WidgetCard);
