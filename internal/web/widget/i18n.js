// The chat widget's language. It comes from SodamSettings.language on the
// host page, else the browser's language (frame.js sets it before anything
// is shown). The messages are in i18n/ko.json and i18n/en.json, beside
// shared/i18n/ for what the console says alike.
import { Locale } from '../shared/locale.js';

export const locale = new Locale((lang) => new URL(`./i18n/${lang}.json`, import.meta.url));
export const t = locale.t;
