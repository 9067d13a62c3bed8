// Talks to the Django backend: fetch LiveKit credentials from the token URL.

function readCookie(name) {
  for (const part of document.cookie ? document.cookie.split(';') : []) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return '';
}

/** CSRF token: the `csrftoken` cookie, else the template's {% csrf_token %} input. */
export function csrfToken() {
  return (
    readCookie('csrftoken') ||
    document.querySelector('input[name="csrfmiddlewaretoken"]')?.value ||
    ''
  );
}

/** An error whose message is meant to be shown to the user as-is. */
export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

/**
 * POST {} to the token URL and return {livekit_url, token, identity}.
 * Errors arrive as {"detail": "..."} with a 4xx status; that text becomes
 * the ApiError message.
 */
export async function fetchCredentials(tokenUrl) {
  let response;
  try {
    response = await fetch(tokenUrl, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        'X-CSRFToken': csrfToken(),
      },
      body: '{}',
    });
  } catch (err) {
    throw new ApiError(`Network error: ${err.message}`, 0);
  }

  let data = null;
  try {
    data = await response.json();
  } catch {
    // Not JSON (e.g. an HTML error page); fall through with data = null.
  }

  if (!response.ok) {
    const detail =
      data && typeof data.detail === 'string' && data.detail
        ? data.detail
        : `The server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(detail, response.status);
  }
  if (!data || !data.livekit_url || !data.token) {
    throw new ApiError('The server sent an incomplete answer (no token).', response.status);
  }
  return data;
}
