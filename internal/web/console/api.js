// The console's API client: the session cookie goes with every request,
// the CSRF token with every write, and the console's language as
// Accept-Language, so that a refusal's message is worded in it.
import { upload } from '../shared/files.js';
import { ApiError, request } from '../shared/net.js';
import { locale } from './i18n.js';

let csrfToken = '';
let sessionLost = () => {};
let memberInactive = () => {};

// setSession remembers the CSRF token from login or GET /me.
export function setSession(token) {
  csrfToken = token;
}

// onSessionLost sets what happens when the server no longer knows us.
export function onSessionLost(fn) {
  sessionLost = fn;
}

// onMemberInactive sets what happens when a workspace refuses us because
// a master deactivated our membership (403 member_inactive); fn gets the
// workspace's id.
export function onMemberInactive(fn) {
  memberInactive = fn;
}

// Paths that answer 401 for a reason other than an ended session: a wrong
// password, a refused invitation or reset link.
const ownRefusals = new Set(['/auth/login', '/me', '/me/password', '/invitations/lookup', '/invitations/accept', '/password-reset']);

// call sends a request to /api/v1 + path. A 401 outside login means the
// session ended (expired, or signed out in another tab). With { page: true }
// a list resolves to { items, next } (see net.js request); { headers }
// adds request headers (If-Match).
export async function call(method, path, body, { page = false, headers: extra = {} } = {}) {
  const headers = { ...extra, 'Accept-Language': locale.lang, ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrfToken }) };
  try {
    return await request(method, '/api/v1' + path, { body, headers, page });
  } catch (err) {
    refused(err, path);
    throw err;
  }
}

function refused(err, path) {
  if (err.status === 401 && !ownRefusals.has(path)) sessionLost();
  if (err.status === 403 && err.code === 'member_inactive') {
    const wid = Number(path.match(/^\/workspaces\/(\d+)/)?.[1] ?? 0);
    if (wid) memberInactive(wid);
  }
}

// uploadFile posts a file (see files.js upload) to /api/v1 + path, with the
// CSRF token like every write.
export async function uploadFile(path, options) {
  try {
    return await upload('/api/v1' + path, { ...options, headers: { 'X-CSRF-Token': csrfToken, 'Accept-Language': locale.lang } });
  } catch (err) {
    refused(err, path);
    throw err;
  }
}

// callText sends a body of another type (an FAQ import's CSV, or FormData
// with an article's image: contentType null lets the browser set it) to
// /api/v1 + path, with the CSRF token, and resolves to the decoded answer.
export async function callText(method, path, text, contentType) {
  const headers = { 'X-CSRF-Token': csrfToken, 'Accept-Language': locale.lang };
  if (contentType) headers['Content-Type'] = contentType;
  const res = await fetch('/api/v1' + path, { method, body: text, credentials: 'same-origin', headers });
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error?.code ?? '', data?.error?.message ?? res.statusText, undefined, data?.error?.field);
    refused(err, path);
    throw err;
  }
  return data;
}
