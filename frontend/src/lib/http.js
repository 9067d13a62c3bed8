// The one way the page talks to our JSON API: same-origin, CSRF header from the csrftoken cookie,
// errors as ApiError carrying the server's {"detail"} text (meant to be shown as-is).

export class ApiError extends Error {
  constructor(message, status, retryAfter = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

function readCookie(name) {
  for (const part of document.cookie ? document.cookie.split(';') : []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return '';
}

export function csrfToken() {
  return readCookie('csrftoken') || document.querySelector('input[name="csrfmiddlewaretoken"]')?.value || '';
}

/** Call our API. Resolves with the parsed JSON body (null when empty); rejects with ApiError. */
export async function api(url, { method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, credentials: 'same-origin', headers };
  if (method !== 'GET' && method !== 'HEAD') {
    headers['Content-Type'] = 'application/json';
    headers['X-CSRFToken'] = csrfToken();
    init.body = JSON.stringify(body ?? {});
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    throw new ApiError(`Network error: ${err.message}`, 0);
  }
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null; // not JSON (an HTML error page) or empty
  }
  if (!response.ok) {
    const detail =
      data && typeof data.detail === 'string' && data.detail
        ? data.detail
        : `The server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(detail, response.status, response.headers.get('Retry-After'));
  }
  return data;
}

/** API routes of one room. */
export function roomApi(code) {
  const base = `/api/v1/rooms/${encodeURIComponent(code)}`;
  return {
    base,
    get: (path = '') => api(`${base}${path}`),
    post: (path, body) => api(`${base}${path}`, { method: 'POST', body }),
    patch: (body) => api(base, { method: 'PATCH', body }),
    remove: (path) => api(`${base}${path}`, { method: 'DELETE' }),
  };
}
