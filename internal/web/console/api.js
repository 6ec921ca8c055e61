// The console's API client: the session cookie goes with every request and
// the CSRF token with every write.
import { request } from '../widget/net.js';

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
