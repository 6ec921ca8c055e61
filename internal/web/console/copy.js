// copyText puts the value of a read-only input or textarea on the
// clipboard: the Clipboard API where the page is a secure context, else
// by selecting the text, for consoles served over plain HTTP on a LAN.
import { t } from './i18n.js';
import { toast } from './toast.js';

export async function copyText(field) {
  try {
    await navigator.clipboard.writeText(field.value);
  } catch {
    field.focus();
    field.select();
    document.execCommand('copy');
  }
  toast(t('settings.copied'));
}
