// copyText puts the value of a read-only input or textarea on the
// clipboard: the Clipboard API where the page is a secure context, else
// by selecting the text, for consoles served over plain HTTP on a LAN.
// The button that asked says so for a moment (a toast may sit behind a
// modal dialog's backdrop).
import { t } from './i18n.js';
import { toast } from './toast.js';

export async function copyText(field, button) {
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.focus();
    field.select();
    document.execCommand('copy');
  }
  toast(t('settings.copied'));
  if (!button) return;
  const label = button.textContent;
  button.textContent = t('copy.done');
  button.dataset.copied = 'true';
  setTimeout(() => {
    button.textContent = label;
    delete button.dataset.copied;
  }, 2000);
}
