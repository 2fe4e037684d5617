// The console's JSON API client: same-origin fetch with the session cookie, the CSRF token on every write,
// and errors as ApiError {status, code, message, problems}.

let session = null;
let signInNeeded = () => {};

/** An error answered by the server (or a network failure, status 0). */
export class ApiError extends Error {
  constructor(status, code, message, problems) {
    super(message);
    this.status = status;
    this.code = code;
    this.problems = problems || [];
  }
}

/** The signed-in session ({accessKeyId, profile, readOnly, csrfToken, expiresAt}) or null. */
export function currentSession() {
  return session;
}

/** Sets the session (after sign-in) or clears it (null). */
export function setSession(s) {
  session = s;
}

/** What to do when the server answers 401 (the session expired): main.js shows the sign-in dialog. */
export function onSignInNeeded(fn) {
  signInNeeded = fn;
}

async function request(method, path, body) {
  const headers = {'Accept': 'application/json'};
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
  if (method !== 'GET' && method !== 'HEAD') {
    headers['X-CSRF-Token'] = session ? session.csrfToken : '';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch('api/' + path.replace(/^\/+/, ''), init);
  } catch (e) {
    throw new ApiError(0, 'NetworkError', 'The server cannot be reached: ' + e.message, []);
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ApiError(res.status, 'BadResponse', 'The server answered something that is not JSON', []);
    }
  }
  if (!res.ok) {
    const e = (data && data.error) || {};
    if (res.status === 401 && !path.startsWith('session')) {
      session = null;
      signInNeeded();
    }
    throw new ApiError(res.status, e.code || 'HttpError', e.message || res.statusText, e.problems);
  }
  return data;
}

/** The calls: paths are relative to /console/api/. */
export const api = {
  get: path => request('GET', path),
  post: (path, body) => request('POST', path, body === undefined ? {} : body),
  put: (path, body) => request('PUT', path, body === undefined ? {} : body),
  del: path => request('DELETE', path),
};

/** Encodes one path segment (policy ids, record names). */
export function seg(value) {
  return encodeURIComponent(String(value));
}
