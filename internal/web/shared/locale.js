// Locale holds the Korean and English message catalogs of one page and the
// language in use. Korean is chosen for a Korean browser, English otherwise.
export const pickLanguage = (pref) => (String(pref || '').toLowerCase().startsWith('ko') ? 'ko' : 'en');

export class Locale extends EventTarget {
  #catalogs;

  constructor(catalogs, preferred) {
    super();
    this.#catalogs = catalogs;
    this.lang = pickLanguage(preferred);
  }

  // t returns the text for key in the current language, filling {name}
  // placeholders from vars.
  t = (key, vars) => {
    const text = this.#catalogs[this.lang][key] ?? this.#catalogs.en[key] ?? key;
    return vars ? text.replace(/\{(\w+)\}/g, (m, name) => String(vars[name] ?? m)) : text;
  };

  has = (key) => key in this.#catalogs[this.lang];

  // errorText turns an ApiError (or anything with a code) into a sentence.
  errorText = (err) => {
    const key = 'error.' + err?.code;
    return this.has(key) ? this.t(key) : this.t('error.unknown', { code: err?.code ?? '?' });
  };

  // apply fills elements marked data-i18n="key" (text) and
  // data-i18n-attr="attr:key;attr:key" (attributes) under root.
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
  set(lang) {
    this.lang = pickLanguage(lang);
    document.documentElement.lang = this.lang;
    this.apply();
    this.dispatchEvent(new Event('change'));
  }
}
