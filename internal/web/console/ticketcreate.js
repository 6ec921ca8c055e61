// openTicketDialog asks for what a ticket needs (§7.2): a subject, a
// description, priority and assignee. Made from a chat, the chat is
// linked, so the ticket shows its transcript, and the customer's name and
// email (else phone) become the ticket's contact; made from nothing (a
// phone call), the dialog asks for the name and contact too. Created, the
// ticket opens on the To check page.
import { h } from '../shared/dom.js';
import { customerName } from './names.js';
import { clearInvalid, formError, locale, markInvalid, t } from './i18n.js';
import { isActive } from './session.js';
import { stamp, template } from './template.js';
import { toast } from './toast.js';

const markup = template(`
<dialog class="dialog form-dialog ticket-dialog" aria-labelledby="ticket-dialog-title" data-testid="ticket-dialog">
  <form method="dialog" novalidate>
    <h2 id="ticket-dialog-title" data-i18n="tickets.create_title"></h2>
    <p class="help" data-ref="help"></p>
    <div class="ticket-form-row" data-ref="who">
      <label><span data-i18n="tickets.name"></span><input name="name" maxlength="100" autocomplete="off" data-testid="ticket-new-name"></label>
      <label><span data-i18n="tickets.contact"></span><input name="contact" maxlength="200" autocomplete="off" data-i18n-attr="placeholder:tickets.contact_hint" data-testid="ticket-new-contact"></label>
    </div>
    <label><span data-i18n="tickets.subject"></span><input name="subject" maxlength="200" required autocomplete="off" data-testid="ticket-new-subject"></label>
    <label><span data-i18n="tickets.body"></span><textarea name="body" rows="4" maxlength="10000" data-testid="ticket-new-body"></textarea></label>
    <div class="ticket-form-row">
      <label><span data-i18n="tickets.priority"></span><select name="priority" data-testid="ticket-new-priority"></select></label>
      <label><span data-i18n="tickets.assignee"></span><select name="assignee" data-testid="ticket-new-assignee"></select></label>
    </div>
    <p class="form-error" role="alert" data-testid="ticket-new-error"></p>
    <div class="dialog-actions">
      <button type="button" class="secondary" data-dismiss data-i18n="conv.cancel" data-testid="ticket-new-cancel"></button>
      <button type="submit" class="primary" data-i18n="tickets.create" data-testid="ticket-new-save"></button>
    </div>
  </form>
</dialog>
`);

let dialog = null;
let current = null; // { inbox, conversation }

function build() {
  const host = document.createElement('div');
  stamp(host, markup);
  dialog = host.firstElementChild;
  document.body.append(dialog);
  dialog.querySelector('[data-dismiss]').addEventListener('click', () => dialog.close());
  dialog.querySelector('form').addEventListener('submit', submit);
  locale.addEventListener('change', () => locale.apply(dialog));
}

export function openTicketDialog(inbox, conversation = null) {
  if (!dialog) build();
  current = { inbox, conversation };
  const f = dialog.querySelector('form').elements;
  dialog.querySelector('[data-ref=help]').textContent = t(conversation ? 'tickets.create_help' : 'tickets.create_call_help');
  dialog.querySelector('[data-ref=who]').hidden = Boolean(conversation);
  f.name.value = '';
  f.contact.value = '';
  f.subject.value = '';
  f.body.value = conversation?.last_message ?? '';
  f.priority.replaceChildren(...['low', 'normal', 'high', 'urgent'].map((p) => h('option', { value: p }, t('priority.' + p))));
  f.priority.value = 'normal';
  f.assignee.replaceChildren(h('option', { value: '0' }, t('tickets.nobody')),
    ...[...inbox.members.values()].filter((m) => isActive(m)).sort((a, b) => a.name.localeCompare(b.name, locale.lang))
      .map((m) => h('option', { value: String(m.agent_id) }, m.name)));
  f.assignee.value = String(inbox.agentId);
  f.subject.placeholder = t('tickets.subject_placeholder', { name: (conversation && customerName(conversation)) || t('msg.visitor') });
  dialog.querySelector('.form-error').replaceChildren();
  clearInvalid(f.subject);
  dialog.showModal();
  f.subject.focus();
}

async function submit(e) {
  e.preventDefault();
  const form = e.target;
  const f = form.elements;
  const { inbox, conversation } = current;
  const save = form.querySelector('[type=submit]');
  // A subject is required: say so at the field before asking the server.
  const error = form.querySelector('.form-error');
  clearInvalid(f.subject);
  if (!f.subject.value.trim()) {
    error.textContent = t('tickets.subject_required');
    markInvalid(f.subject, error);
    f.subject.focus();
    return;
  }
  save.disabled = true;
  try {
    const body = { subject: f.subject.value.trim(), body: f.body.value, priority: f.priority.value, assignee_id: Number(f.assignee.value) };
    if (conversation) body.conversation_id = conversation.id;
    else Object.assign(body, { name: f.name.value.trim(), contact: f.contact.value.trim() });
    const tk = await inbox.request('POST', '/tickets', body);
    dialog.close();
    toast(t('tickets.created', { id: tk.id }));
    location.hash = `#/tickets/${tk.id}`;
  } catch (err) {
    formError(form.querySelector('.form-error'), err);
  } finally {
    save.disabled = false;
  }
}
