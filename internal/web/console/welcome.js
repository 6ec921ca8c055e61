// The screens a link opens before anyone is signed in: an invitation
// (/console/invite?token=…), where the invited person chooses a name and a
// password, or enters their current password when they already have a
// Sodam login; and a password reset (/console/reset?token=…), where they
// choose a new password. Either ends signed in, in the console. The server
// serves index.html for both paths; this module fills its <main
// id="welcome">.
import { call } from './api.js';
import { chooseLanguage, formError, label, locale, markInvalid, t } from './i18n.js';
import { MIN_LENGTH, StrengthHint } from './password.js';
import { stamp, template } from './template.js';

const inviteMarkup = template(`
<form class="login-card welcome-card" data-ref="form" data-testid="invite-form" novalidate>
  <p class="logo" aria-hidden="true">소담</p>
  <h1 data-ref="heading" data-testid="invite-heading"></h1>
  <p class="help" data-ref="summary" data-testid="invite-summary"></p>
  <p class="notice" data-ref="existing" data-i18n="invite.existing" data-testid="invite-existing" hidden></p>
  <div class="welcome-fields" data-ref="fields">
    <label data-ref="email-row">
      <span data-i18n="login.email"></span>
      <input type="email" name="email" autocomplete="username" readonly data-testid="invite-email">
    </label>
    <label data-ref="name-row">
      <span data-i18n="invite.name"></span>
      <input name="name" autocomplete="name" maxlength="100" required data-testid="invite-name">
    </label>
    <label>
      <span data-ref="password-label"></span>
      <input type="password" name="password" required data-testid="invite-password">
    </label>
    <p data-ref="strength" data-testid="invite-strength"></p>
    <label data-ref="confirm-row">
      <span data-i18n="password.confirm"></span>
      <input type="password" name="confirm" autocomplete="new-password" required data-testid="invite-confirm">
    </label>
  </div>
  <p class="form-error" role="alert" data-ref="error" data-testid="invite-error"></p>
  <button type="submit" name="submit" class="primary wide" data-ref="submit" data-testid="invite-submit"></button>
  <p class="welcome-alt" data-ref="alt" hidden><a href="/console/" data-ref="signin" data-i18n="welcome.signin" data-testid="invite-signin"></a></p>
  <label class="login-lang">
    <span class="sr-only" data-i18n="nav.language"></span>
    <select data-ref="lang" data-testid="invite-language">
      <option value="ko" lang="ko" data-i18n="lang.ko"></option>
      <option value="en" lang="en" data-i18n="lang.en"></option>
    </select>
  </label>
</form>
`);

const resetMarkup = template(`
<form class="login-card welcome-card" data-ref="form" data-testid="reset-form" novalidate>
  <p class="logo" aria-hidden="true">소담</p>
  <h1 data-i18n="reset.heading"></h1>
  <p class="help" data-i18n="reset.help"></p>
  <div class="welcome-fields" data-ref="fields">
    <label>
      <span data-i18n="password.new"></span>
      <input type="password" name="password" autocomplete="new-password" required data-testid="reset-password">
    </label>
    <p data-ref="strength" data-testid="reset-strength"></p>
    <label>
      <span data-i18n="password.confirm"></span>
      <input type="password" name="confirm" autocomplete="new-password" required data-testid="reset-confirm">
    </label>
  </div>
  <p class="form-error" role="alert" data-ref="error" data-testid="reset-error"></p>
  <button type="submit" name="submit" class="primary wide" data-ref="submit" data-i18n="reset.submit" data-testid="reset-submit"></button>
  <p class="welcome-alt" data-ref="alt" hidden><a href="/console/" data-ref="signin" data-i18n="welcome.signin" data-testid="reset-signin"></a></p>
  <label class="login-lang">
    <span class="sr-only" data-i18n="nav.language"></span>
    <select data-ref="lang" data-testid="reset-language">
      <option value="ko" lang="ko" data-i18n="lang.ko"></option>
      <option value="en" lang="en" data-i18n="lang.en"></option>
    </select>
  </label>
</form>
`);

const screen = document.getElementById('welcome');
const ref = (name) => screen.querySelector(`[data-ref="${name}"]`);

// welcomeLink says which link the page was opened with: {kind: 'invite'
// or 'reset', token}, or null for the console itself.
export function welcomeLink(loc) {
  const kind = { '/console/invite': 'invite', '/console/reset': 'reset' }[loc.pathname.replace(/\/$/, '')];
  if (!kind) return null;
  return { kind, token: new URLSearchParams(loc.search).get('token') ?? '' };
}

// Refusals after which the link is of no use: the person signs in instead
// (or asks for a new link).
const deadLink = new Set(['invitation_not_found', 'invitation_used', 'invitation_expired', 'invitation_revoked', 'reset_link_invalid']);

// openWelcome shows the screen for link. signedIn(me) gets the session
// the server answers with; leave() goes to the ordinary sign-in.
export function openWelcome(link, signedIn, leave) {
  const { kind } = link;
  const invite = kind === 'invite';
  stamp(screen, invite ? inviteMarkup : resetMarkup);
  screen.hidden = false;
  let lookup = null; // the invitation, once looked up
  const form = ref('form');
  const f = form.elements;
  const hint = new StrengthHint(f.password, ref('strength'), () => ({ email: lookup?.email ?? '', name: f.name?.value ?? '' }));

  const relabel = () => {
    if (screen.hidden) return;
    if (invite) {
      ref('heading').textContent = lookup ? t('invite.heading', { workspace: lookup.workspace_name }) : t('invite.loading');
      ref('summary').textContent = lookup ? t('invite.summary', { email: lookup.email, role: label('role.', lookup.role) }) : '';
      ref('password-label').textContent = t(lookup?.existing_login ? 'invite.current_password' : 'password.new');
      ref('submit').textContent = t(lookup?.existing_login ? 'invite.join' : 'invite.accept');
    }
    ref('lang').value = locale.lang;
    if (f.password.value || !lookup?.existing_login) hint.update();
  };

  const dead = (err) => {
    formError(ref('error'), err);
    ref('fields').hidden = true;
    ref('submit').hidden = true;
    ref('alt').hidden = false;
    screen.dataset.state = 'invalid';
  };

  ref('signin').addEventListener('click', (e) => {
    e.preventDefault();
    closeWelcome();
    leave();
  });
  ref('lang').addEventListener('change', (e) => chooseLanguage(e.target.value));
  // A refusal stays until the person changes what was refused.
  ref('fields').addEventListener('input', () => {
    if (screen.dataset.state !== 'invalid') ref('error').replaceChildren();
  });
  locale.addEventListener('change', relabel);

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const box = ref('error');
    box.replaceChildren();
    const existing = invite && lookup?.existing_login;
    if (!existing) {
      if (invite && !f.name.value.trim()) return showProblem(box, f.name, t('invite.name_required'));
      if (f.password.value.length < MIN_LENGTH) return showProblem(box, f.password, t('password.too_short', { n: MIN_LENGTH }));
      if (f.password.value !== f.confirm.value) return showProblem(box, f.confirm, t('password.mismatch'));
    } else if (!f.password.value) {
      return showProblem(box, f.password, t('invite.current_required'));
    }
    f.submit.disabled = true;
    try {
      const me = invite
        ? await call('POST', '/invitations/accept', { token: link.token, password: f.password.value, ...(existing ? {} : { name: f.name.value.trim() }) })
        : await call('POST', '/password-reset', { token: link.token, password: f.password.value });
      closeWelcome();
      signedIn(me);
    } catch (err) {
      if (deadLink.has(err.code)) dead(err);
      else formError(box, err);
    } finally {
      f.submit.disabled = false;
    }
  });

  screen.dataset.state = 'ready';
  relabel();
  if (!link.token) {
    dead({ code: invite ? 'invitation_not_found' : 'reset_link_invalid' });
    return;
  }
  if (!invite) {
    f.password.focus();
    return;
  }
  screen.dataset.state = 'loading';
  call('POST', '/invitations/lookup', { token: link.token }).then((inv) => {
    lookup = inv;
    screen.dataset.state = 'ready';
    f.email.value = inv.email;
    f.name.value = inv.name ?? '';
    ref('existing').hidden = !inv.existing_login;
    ref('name-row').hidden = Boolean(inv.existing_login);
    ref('confirm-row').hidden = Boolean(inv.existing_login);
    ref('strength').hidden = Boolean(inv.existing_login);
    f.password.autocomplete = inv.existing_login ? 'current-password' : 'new-password';
    relabel();
    (inv.existing_login || f.name.value ? f.password : f.name).focus();
  }, (err) => {
    if (deadLink.has(err.code)) dead(err);
    else formError(ref('error'), err);
    relabel();
  });
}

function showProblem(box, input, text) {
  box.textContent = text;
  markInvalid(input, box);
  input.focus();
}

export function closeWelcome() {
  screen.hidden = true;
  screen.replaceChildren();
}
