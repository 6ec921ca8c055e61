// <sodam-profile> is the agent's own profile, opened from the avatar: the
// display name customers and colleagues see, the console's language (the
// browser's, Korean or English, kept on the server so every computer
// follows it), and a new password, given with the current one. Changing
// the password ends the agent's other sessions.
import { call } from './api.js';
import { chooseLanguage, formError, locale, t } from './i18n.js';
import { MIN_LENGTH, StrengthHint } from './password.js';
import { session } from './session.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const markup = template(`
<h1 data-i18n="profile.heading"></h1>
<form class="card" data-ref="profile" data-testid="profile-form" novalidate>
  <h2 data-i18n="profile.about"></h2>
  <label>
    <span data-i18n="login.email"></span>
    <input type="email" name="email" readonly class="medium" data-testid="profile-email">
  </label>
  <label>
    <span data-i18n="profile.name"></span>
    <input name="name" maxlength="100" required autocomplete="name" class="medium" data-testid="profile-name">
    <small class="help" data-i18n="profile.name_help"></small>
  </label>
  <label>
    <span data-i18n="profile.language"></span>
    <select name="language" class="medium" data-testid="profile-language">
      <option value="" data-i18n="profile.language_browser"></option>
      <option value="ko" lang="ko" data-i18n="lang.ko"></option>
      <option value="en" lang="en" data-i18n="lang.en"></option>
    </select>
  </label>
  <p class="form-error" role="alert" data-ref="profile-error" data-testid="profile-error"></p>
  <button type="submit" name="save" class="primary" data-i18n="settings.save" data-testid="profile-save"></button>
</form>
<form class="card" data-ref="password" data-testid="password-form" novalidate>
  <h2 data-i18n="profile.password"></h2>
  <p class="help" data-i18n="profile.password_help"></p>
  <input type="email" name="username" autocomplete="username" hidden>
  <label>
    <span data-i18n="password.current"></span>
    <input type="password" name="current" autocomplete="current-password" required class="medium" data-testid="password-current">
  </label>
  <label>
    <span data-i18n="password.new"></span>
    <input type="password" name="next" autocomplete="new-password" required class="medium" data-testid="password-new">
  </label>
  <p data-ref="strength" data-testid="password-strength"></p>
  <label>
    <span data-i18n="password.confirm"></span>
    <input type="password" name="confirm" autocomplete="new-password" required class="medium" data-testid="password-confirm">
  </label>
  <p class="form-error" role="alert" data-ref="password-error" data-testid="password-error"></p>
  <button type="submit" name="save" class="primary" data-i18n="profile.password_save" data-testid="password-save"></button>
</form>`);

class Profile extends HTMLElement {
  #hint = null;

  connectedCallback() {
    if (this.firstElementChild) return;
    stamp(this, markup);
    const profile = this.#ref('profile');
    const password = this.#ref('password');
    profile.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#saveProfile();
    });
    password.addEventListener('submit', (e) => {
      e.preventDefault();
      this.#savePassword();
    });
    for (const form of [profile, password]) {
      form.addEventListener('input', () => form.querySelector('.form-error').replaceChildren());
    }
    this.#hint = new StrengthHint(password.elements.next, this.#ref('strength'), () => ({ email: session.agent?.email, name: session.agent?.name }));
    locale.addEventListener('change', () => this.#hint.update());
  }

  #ref(name) {
    return this.querySelector(`[data-ref=${name}]`);
  }

  // show fills the forms from the session each time the page opens.
  show() {
    const agent = session.agent;
    if (!agent) return;
    const f = this.#ref('profile').elements;
    f.email.value = agent.email;
    f.name.value = agent.name;
    f.language.value = agent.language ?? '';
    this.#ref('password').elements.username.value = agent.email;
    for (const box of this.querySelectorAll('.form-error')) box.replaceChildren();
  }

  async #saveProfile() {
    const f = this.#ref('profile').elements;
    const box = this.#ref('profile-error');
    box.replaceChildren();
    const name = f.name.value.trim();
    if (!name) {
      box.textContent = t('invite.name_required');
      f.name.focus();
      return;
    }
    f.save.disabled = true;
    try {
      const agent = await call('PATCH', '/me', { name, language: f.language.value });
      session.setAgent(agent);
      // Colleagues' lists show the new name; so should this console's.
      dispatchEvent(new Event('sodam:profile'));
      // The chosen language applies at once; "the browser's" forgets the
      // console's own choice.
      await chooseLanguage(agent.language);
      this.show();
      toast(t('profile.saved'));
    } catch (err) {
      formError(box, err);
    } finally {
      f.save.disabled = false;
    }
  }

  async #savePassword() {
    const form = this.#ref('password');
    const f = form.elements;
    const box = this.#ref('password-error');
    box.replaceChildren();
    if (!f.current.value) return problem(box, f.current, t('invite.current_required'));
    if (f.next.value.length < MIN_LENGTH) return problem(box, f.next, t('password.too_short', { n: MIN_LENGTH }));
    if (f.next.value !== f.confirm.value) return problem(box, f.confirm, t('password.mismatch'));
    f.save.disabled = true;
    try {
      await call('PUT', '/me/password', { current_password: f.current.value, new_password: f.next.value });
      form.reset();
      f.username.value = session.agent.email;
      this.#hint.update();
      toast(t('profile.password_saved'));
    } catch (err) {
      formError(box, err);
      if (err.code === 'invalid_credentials') {
        box.textContent = t('profile.wrong_current');
        f.current.focus();
      }
    } finally {
      f.save.disabled = false;
    }
  }
}

function problem(box, input, text) {
  box.textContent = text;
  input.focus();
}

customElements.define('sodam-profile', Profile);
