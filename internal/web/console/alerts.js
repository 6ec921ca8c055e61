// TitleAlert blinks the browser tab's title while conversations need the
// agent's attention — "(2) 새 상담 요청" alternating with the usual title —
// so a new request is noticed from another tab. It stops once everything
// has been seen.
import { t } from './i18n.js';

export class TitleAlert {
  #base = '';
  #alert = '';
  #timer = 0;
  #showingAlert = false;

  // update sets the usual title and the attention ({count, request}) to
  // announce; a zero count stops the blinking.
  update(base, { count, request }) {
    this.#base = base;
    this.#alert = count ? `(${count}) ${t(request ? 'alert.request' : 'alert.message')}` : '';
    if (!count) {
      clearInterval(this.#timer);
      this.#timer = 0;
    } else if (!this.#timer) {
      this.#timer = setInterval(() => this.#flip(), 1000);
    }
    this.#showingAlert = false;
    this.#flip();
  }

  #flip() {
    this.#showingAlert = Boolean(this.#alert) && !this.#showingAlert;
    document.title = this.#showingAlert ? this.#alert : this.#base;
  }
}
