// Locale holds one page's messages in the language in use, Korean for a
// Korean browser and English otherwise. They come from two JSON catalogs
// per language, fetched when the language is first used: shared/i18n/LANG.json
// (what the console and the widget say alike) and the page's own (say,
// console/i18n/LANG.json). A key is in one of the two, never both
// (web_test.go checks).
import { request, retry } from './net.js';

export const pickLanguage = (pref) => (String(pref || '').toLowerCase().startsWith('ko') ? 'ko' : 'en');

// knownTimeZone is zone's canonical name if this browser knows it, else
// undefined: Intl then uses the browser's own zone.
export function knownTimeZone(zone) {
  try {
    return zone ? new Intl.DateTimeFormat('en', { timeZone: zone }).resolvedOptions().timeZone : undefined;
  } catch {
    return undefined;
  }
}

// fetchCatalog loads one catalog, waiting out a server that cannot be
// reached (the page cannot say anything without it).
const fetchCatalog = (url) => retry(() => request('GET', String(url)));

export class Locale extends EventTarget {
  #own;
  #loaded = new Map(); // lang → Promise of its messages
  #messages = {};
  #wanted = 0; // counts use() calls: only the latest one takes effect

  // own(lang) is the URL of the page's own catalog for lang.
  constructor(own) {
    super();
    this.#own = own;
    this.lang = 'en';
  }

  // load fetches a language's messages (once) without using them.
  load(lang) {
    let messages = this.#loaded.get(lang);
    if (!messages) {
      messages = Promise.all([fetchCatalog(new URL(`./i18n/${lang}.json`, import.meta.url)), fetchCatalog(this.#own(lang))])
        .then(([shared, own]) => ({ ...shared, ...own }));
      this.#loaded.set(lang, messages);
      messages.catch(() => this.#loaded.delete(lang));
    }
    return messages;
  }

  // use makes the preferred language current once its messages are loaded,
  // without touching the page. It resolves to false when another call
  // chose a language meanwhile.
  async use(preferred) {
    const lang = pickLanguage(preferred);
    const wanted = ++this.#wanted;
    const messages = await this.load(lang);
    if (wanted !== this.#wanted) return false;
    this.lang = lang;
    this.#messages = messages;
    return true;
  }

  // t returns the text for key in the current language, filling {name}
  // placeholders from vars.
  t = (key, vars) => {
    const text = this.#messages[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => String(vars[name] ?? m)) : text;
  };

  has = (key) => Object.hasOwn(this.#messages, key);

  // errorText turns an ApiError (or anything with a code) into a sentence.
  errorText = (err) => {
    const key = 'error.' + err?.code;
    return this.has(key) ? this.t(key) : this.t('error.unknown', { code: err?.code ?? '?' });
  };

  // apply fills the elements under root that name a key in data-i18n (for
  // their text) or pairs in data-i18n-attr (attr:key;attr:key, for
  // attributes).
  apply(root = document) {
    for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = this.t(el.dataset.i18n);
    for (const el of root.querySelectorAll('[data-i18n-attr]')) {
      for (const pair of el.dataset.i18nAttr.split(';')) {
        const [attr, key] = pair.split(':');
        el.setAttribute(attr.trim(), this.t(key.trim()));
      }
    }
  }

  // set switches the language, re-translates the document and tells
  // listeners of the "change" event to redraw what they built themselves.
  async set(lang) {
    if (!(await this.use(lang))) return;
    document.documentElement.lang = this.lang;
    this.apply();
    this.dispatchEvent(new Event('change'));
  }
}
