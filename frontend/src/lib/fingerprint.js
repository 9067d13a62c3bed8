// The browser fingerprint a ban holds on: a SHA-256 over a few stable properties of this browser
// (user agent, languages, platform, screen size and colour depth, time zone, CPU count) plus a
// random id kept in localStorage. No canvas or font probing; clearing site data makes a new one.
const KEY = 'lectern.browserId';

function browserId() {
  let id = localStorage.getItem(KEY);
  if (!id) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    id = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    localStorage.setItem(KEY, id);
  }
  return id;
}

export async function fingerprint() {
  const parts = [
    navigator.userAgent,
    (navigator.languages || [navigator.language]).join(','),
    navigator.platform || '',
    `${screen.width}x${screen.height}x${screen.colorDepth}`,
    Intl.DateTimeFormat().resolvedOptions().timeZone || '',
    String(navigator.hardwareConcurrency || ''),
    browserId(),
  ];
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(parts.join('|')));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}
