// HTTP helpers shared by the widget and the console: JSON requests that
// fail with one error type, and retries for sends that must not be lost.

// ApiError is a refused or failed request. status is 0 when the server was
// not reached; code is the API's stable error code, or "network".
// retryAfter is the server's sub-second retry hint (Retry-After-Ms, sent by
// a node shedding load) in milliseconds, or undefined; field names the
// request field a refusal is about, when the server says ('' otherwise).
// The message is in the language the request's Accept-Language asked for.
export class ApiError extends Error {
  constructor(status, code, message, retryAfter, field = '') {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
    this.field = field;
  }
}

const retryHint = (headers) => {
  const ms = headers.get('Retry-After-Ms');
  return ms !== null && /^\d+$/.test(ms) ? Number(ms) : undefined;
};

// request sends a JSON request and resolves to the decoded body (null for
// 204), or rejects with an ApiError. With page set it resolves to
// { items, next, earlier }: a paged list's items, the cursor of its next
// page from the Link header ('' on the last page), and for a transcript
// read from its end the before= of the page before (rel="prev"; 0 when
// the first message is among the items).
export async function request(method, url, { body, headers = {}, page = false } = {}) {
  const init = { method, headers: { ...headers }, credentials: 'same-origin' };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(url, init);
  } catch {
    throw new ApiError(0, 'network', 'the server could not be reached');
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  if (!res.ok) {
    const err = data?.error ?? {};
    throw new ApiError(res.status, err.code || 'http_' + res.status, err.message || res.statusText, retryHint(res.headers), err.field);
  }
  if (!page) return data;
  const links = {};
  for (const [, url, rel] of (res.headers.get('Link') ?? '').matchAll(/<([^>]*)>;\s*rel="(\w+)"/g)) links[rel] = new URL(url, location.href).searchParams;
  return { items: data, next: links.next?.get('cursor') ?? '', earlier: Number(links.prev?.get('before') ?? 0) };
}

// Backoff between reconnects and retries: 0.5 s, doubling, at most 10 s.
export const FIRST_DELAY = 500;
export const MAX_DELAY = 10000;
export const nextDelay = (delay) => Math.min(delay * 2, MAX_DELAY);

// isTransient reports whether repeating the request may succeed: the
// server was unreachable or a proxy in front of it answered for it.
export const isTransient = (err) =>
  err instanceof ApiError && (err.status === 0 || err.status === 502 || err.status === 503 || err.status === 504);

// retry calls fn until it succeeds or fails for a reason other than the
// network, calling onRetry(err) before each new attempt; after attempts
// tries it gives up. Callers make fn idempotent (a message keeps its
// client_msg_id across attempts). The first wait is the server's
// sub-second hint when it gave one (a node shedding load), else
// FIRST_DELAY; it doubles from there, with jitter of ±50 % so that the
// refused do not all come back at once.
export async function retry(fn, onRetry, attempts = Infinity) {
  for (let delay, n = 1; ; n++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTransient(err) || n >= attempts) throw err;
      onRetry?.(err);
      delay = delay === undefined ? (err.retryAfter ?? FIRST_DELAY) : nextDelay(delay);
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
    }
  }
}

// newClientMsgID returns a random idempotency key. crypto.randomUUID exists
// only in secure contexts, and Sodam may be served over plain HTTP on a LAN.
export function newClientMsgID() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
