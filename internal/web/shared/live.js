// LiveSocket keeps one WebSocket to Sodam open: it reconnects with backoff
// after any close and asks the server to replay what it missed, passing the
// highest event seq it has seen as ?after=.
import { FIRST_DELAY, nextDelay } from './net.js';

// SILENCE is how long a socket may stay quiet before it is presumed dead:
// a little over two of the server's 20 s heartbeats.
const SILENCE = 50000;

export class LiveSocket {
  #url;
  #protocols;
  #on;
  #ws = null;
  #timer = 0;
  #delay = FIRST_DELAY;
  #stopped = true;
  #heard = 0;
  #watchdog = 0;

  // url(after) returns the WebSocket URL; protocols(), if given, the
  // protocols the handshake offers (the widget's token rides there, out
  // of the URL that proxies write into their logs). on holds optional handlers:
  // event(event), ready(), typing(frame), queue(frame) (a visitor's place
  // in the queue, frame.position, 0 once no longer queued), and
  // state(name): "connecting" at start, "live" once the replay is done,
  // "reconnecting" after every failed or dropped connection, "stopped"
  // after stop().
  constructor(url, on, seq = 0, protocols = null) {
    this.#url = url;
    this.#protocols = protocols;
    this.#on = on;
    this.seq = seq;
  }

  start() {
    if (!this.#stopped) return;
    this.#stopped = false;
    addEventListener('online', this.#reconnectNow);
    this.#watchdog = setInterval(this.#checkSilence, SILENCE / 4);
    this.#on.state?.('connecting');
    this.#connect();
  }

  stop() {
    this.#stopped = true;
    removeEventListener('online', this.#reconnectNow);
    clearInterval(this.#watchdog);
    clearTimeout(this.#timer);
    const ws = this.#ws;
    this.#ws = null;
    ws?.close(1000);
    this.#on.state?.('stopped');
  }

  // send writes a frame if the socket is open. Frames sent here (typing)
  // are worthless later, so nothing is queued.
  send(frame) {
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(JSON.stringify(frame));
  }

  #connect() {
    const ws = new WebSocket(this.#url(this.seq), this.#protocols?.() ?? []);
    this.#ws = ws;
    this.#heard = Date.now();
    ws.onmessage = (e) => {
      this.#heard = Date.now();
      this.#receive(e.data);
    };
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = null;
      this.#schedule();
    };
  }

  #schedule() {
    this.#on.state?.('reconnecting');
    this.#timer = setTimeout(() => {
      this.#timer = 0;
      this.#connect();
    }, this.#delay);
    this.#delay = nextDelay(this.#delay);
  }

  // The server sends a heartbeat every 20 s; a socket silent for longer
  // than SILENCE is dead even if the browser has not noticed: replace it.
  #checkSilence = () => {
    const ws = this.#ws;
    if (!ws || Date.now() - this.#heard < SILENCE) return;
    this.#ws = null;
    ws.close();
    this.#schedule();
  };

  // The browser reports the network is back: do not wait out the backoff.
  #reconnectNow = () => {
    if (!this.#timer) return;
    clearTimeout(this.#timer);
    this.#timer = 0;
    this.#connect();
  };

  #receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    switch (frame.type) {
      case 'event':
        // Advance first: an event the page fails to apply is not worth
        // replaying forever.
        this.seq = Math.max(this.seq, frame.event.seq);
        this.#on.event?.(frame.event);
        break;
      case 'ready':
        this.seq = Math.max(this.seq, frame.seq || 0);
        this.#delay = FIRST_DELAY;
        this.#on.state?.('live');
        this.#on.ready?.();
        break;
      case 'typing':
        this.#on.typing?.(frame);
        break;
      case 'queue':
        this.#on.queue?.(frame);
        break;
    }
  }
}

// socketURL turns an API path into a ws: or wss: URL on this origin.
export function socketURL(path, params) {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}?${new URLSearchParams(params)}`;
}
