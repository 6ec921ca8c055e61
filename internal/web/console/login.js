// The sign-in screen: email and password, the console's language, and why
// a sign-in was refused. Its form lives here; index.html keeps the
// <main id="login"> it fills, and app.js decides when it shows.
import { call } from './api.js';
import { chooseLanguage, locale } from './i18n.js';
import { stamp, template } from './template.js';

const markup = template(`
<form id="login-form" class="login-card" data-testid="login-form">
  <p class="logo" aria-hidden="true">소담</p>
  <h1 data-i18n="login.heading"></h1>
  <label>
    <span data-i18n="login.email"></span>
    <input type="email" name="email" autocomplete="username" required aria-describedby="login-error" data-testid="login-email">
  </label>
  <label>
    <span data-i18n="login.password"></span>
    <input type="password" name="password" autocomplete="current-password" required aria-describedby="login-error" data-testid="login-password">
  </label>
  <p id="login-error" class="form-error" role="alert" data-testid="login-error"></p>
  <button type="submit" name="submit" class="primary wide" data-i18n="login.submit" data-testid="login-submit"></button>
  <label class="login-lang">
    <span class="sr-only" data-i18n="nav.language"></span>
    <select id="login-lang" data-testid="login-language">
      <option value="ko" lang="ko" data-i18n="lang.ko"></option>
      <option value="en" lang="en" data-i18n="lang.en"></option>
    </select>
  </label>
</form>
`);

const screen = document.getElementById('login');
const $ = (selector) => screen.querySelector(selector);

// initLogin fills the screen; signedIn(session) is called with the session
// the server answers a sign-in with.
export function initLogin(signedIn) {
  stamp(screen, markup);
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const { email, password, submit } = e.target.elements;
    submit.disabled = true;
    $('#login-error').textContent = '';
    try {
      signedIn(await call('POST', '/auth/login', { email: email.value.trim(), password: password.value }));
      password.value = '';
    } catch (err) {
      $('#login-error').textContent = locale.errorText(err);
    } finally {
      submit.disabled = false;
    }
  });
  $('#login-lang').addEventListener('change', (e) => chooseLanguage(e.target.value));
}

// openLogin shows the screen with message (a refusal, or nothing).
export function openLogin(message) {
  screen.hidden = false;
  $('#login-error').textContent = message;
  $('#login-lang').value = locale.lang;
  $('#login-form').elements.email.focus();
}

export function closeLogin() {
  screen.hidden = true;
}
