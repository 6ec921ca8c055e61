// The customer's profile fields as an agent edits them (PATCH
// …/customer): the right-hand panel's form (details.js) and the history
// page's side panel (history.js) both hold them. Each form keeps its own
// buttons, error line and what it does with the values; the fields, the
// age beside the birth date, the note's counter and which field the
// server's error names are here, once.
import { clearInvalid, markInvalid, t } from './i18n.js';

// profileFields are the fields, in the form's order.
export const profileFields = ['name', 'nickname', 'phone', 'email', 'birth_date', 'address', 'note'];

// profileMarkup is the fields' markup for a form's template; the form
// gives them their test IDs once stamped (profileTestIDs). The address
// may hold a line break (the API keeps one), so it is a textarea: an
// input drops the break as it is filled, and the form would then send
// the address run together with the next save of any field.
export const profileMarkup = `
<label><span data-i18n="details.name"></span><input name="name" maxlength="100" autocomplete="off"></label>
<label><span data-i18n="details.nickname"></span><input name="nickname" maxlength="100" autocomplete="off" data-i18n-attr="title:details.nickname_help"></label>
<label><span data-i18n="details.phone"></span><input name="phone" type="tel" maxlength="30" autocomplete="off"></label>
<label><span data-i18n="details.email"></span><input name="email" inputmode="email" maxlength="254" autocomplete="off" spellcheck="false"></label>
<label><span data-i18n="details.birth_date"></span>
  <span class="with-note"><input name="birth_date" type="date" min="1900-01-01"><output data-ref="age"></output></span>
</label>
<label><span data-i18n="details.address"></span><textarea name="address" rows="2" maxlength="200" autocomplete="off"></textarea></label>
<label><span data-i18n="details.note"></span><textarea name="note" rows="3" maxlength="500"></textarea><small class="help counter" data-ref="note-count"></small></label>`;

// profileTestIDs names the fields for browser tests (SELECTORS.md): prefix
// and the field, "customer-birth-date", "history-customer-birth-date".
export function profileTestIDs(form, prefix) {
  for (const f of profileFields) form.elements[f].dataset.testid = `${prefix}-${f.replace('_', '-')}`;
  form.querySelector('[data-ref=age]').dataset.testid = `${prefix}-age`;
  form.querySelector('[data-ref=note-count]').dataset.testid = `${prefix}-note-count`;
}

// fillProfile shows values (a customer, a draft over it) in the form's
// fields. A field already showing its value is left alone, so the caret
// of the field being typed in stays put.
export function fillProfile(form, values) {
  for (const f of profileFields) {
    const input = form.elements[f];
    const value = values[f] ?? '';
    if (input.value !== value) input.value = value;
    clearInvalid(input);
  }
  showProfileNotes(form);
}

// profileChanges are the fields whose value differs from the customer's.
export function profileChanges(form, customer) {
  const changed = {};
  for (const f of profileFields) {
    if (form.elements[f].value !== (customer?.[f] ?? '')) changed[f] = form.elements[f].value;
  }
  return changed;
}

// editsLeft are the edits still unsaved once a save of sent answered with
// customer: those typed while it was on its way. A field is done when it
// was sent as it is now (the server may have tidied it) or now holds the
// saved value.
export function editsLeft(edits, sent, customer) {
  return Object.fromEntries(Object.entries(edits).filter(([f, v]) => v !== sent[f] && v !== (customer[f] ?? '')));
}

// overlaps reports whether a change of the customer from before to after,
// made elsewhere, touched a field the person has an unsaved edit of (in
// edits) and gave it another value: saving the edit would replace it.
export function overlaps(edits, before, after) {
  const value = (c, f) => c[f] ?? '';
  return Object.keys(edits).some((f) => value(after, f) !== value(before, f) && value(after, f) !== edits[f]);
}

// showProfileNotes writes the age (만 나이) beside the birth date and the
// note's count of characters.
export function showProfileNotes(form) {
  const years = age(form.elements.birth_date.value, new Date());
  form.querySelector('[data-ref=age]').textContent = years == null ? '' : t('details.age_value', { n: years });
  form.querySelector('[data-ref=note-count]').textContent = t('details.note_count', { n: form.elements.note.value.length, max: 500 });
}

// markProfileError marks the field a refusal is about (the server names
// it: err.field) as refused for the reason shown in box.
export function markProfileError(form, err, box) {
  if (profileFields.includes(err.field)) markInvalid(form.elements[err.field], box);
}

// age is the full years since a YYYY-MM-DD birth date (만 나이), or null.
function age(birth, today) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  let years = today.getFullYear() - y;
  if (today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d)) years--;
  return years >= 0 ? years : null;
}
