// The console's API client: the session cookie goes with every request and
// the CSRF token with every write.
import { upload } from '../shared/files.js';
import { request } from '../shared/net.js';

let csrfToken = '';
let sessionLost = () => {};

// setSession remembers the CSRF token from login or GET /me.
export function setSession(token) {
  csrfToken = token;
}

// onSessionLost sets what happens when the server no longer knows us.
export function onSessionLost(fn) {
  sessionLost = fn;
}

// call sends a request to /api/v1 + path. A 401 outside login means the
// session ended (expired, or signed out in another tab).
export async function call(method, path, body) {
  const headers = method === 'GET' ? {} : { 'X-CSRF-Token': csrfToken };
  try {
    return await request(method, '/api/v1' + path, { body, headers });
  } catch (err) {
    if (err.status === 401 && path !== '/auth/login' && path !== '/me') sessionLost();
    throw err;
  }
}

// uploadFile posts a file (see files.js upload) to /api/v1 + path, with the
// CSRF token like every write.
export async function uploadFile(path, options) {
  try {
    return await upload('/api/v1' + path, { ...options, headers: { 'X-CSRF-Token': csrfToken } });
  } catch (err) {
    if (err.status === 401) sessionLost();
    throw err;
  }
}
