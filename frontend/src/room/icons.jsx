// Small inline icons (fixed paths, no user data); decorative: the button's text names it.
const PATHS = {
  chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z',
  people:
    'M16 11a3 3 0 1 0-3-3 3 3 0 0 0 3 3zm-8 0a3 3 0 1 0-3-3 3 3 0 0 0 3 3zm0 2c-2.7 0-6 1.3-6 3.5V19h12v-2.5C14 14.3 10.7 13 8 13zm8 0c-.3 0-.7 0-1 .1 1.2.8 2 1.9 2 3.4V19h5v-2.5c0-2.2-3.3-3.5-6-3.5z',
  hand: 'M12 2a1.5 1.5 0 0 1 1.5 1.5V11h1V4.5a1.5 1.5 0 0 1 3 0V12h1V7.5a1.5 1.5 0 0 1 3 0V15a7 7 0 0 1-7 7h-1a7 7 0 0 1-6.3-4l-2.6-5.4a1.5 1.5 0 0 1 2.6-1.5L9 13V4.5a1.5 1.5 0 0 1 3 0V11h-1.5V3.5A1.5 1.5 0 0 1 12 2z',
  record: 'M12 6a6 6 0 1 0 6 6 6 6 0 0 0-6-6z',
  more: 'M5 10a2 2 0 1 0 2 2 2 2 0 0 0-2-2zm7 0a2 2 0 1 0 2 2 2 2 0 0 0-2-2zm7 0a2 2 0 1 0 2 2 2 2 0 0 0-2-2z',
  captions:
    'M4 5h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2zm3 5a1 1 0 0 0-1 1v2a1 1 0 0 0 1 1h3v-1.5H7.5v-1H10V10zm7 0a1 1 0 0 0-1 1v2a1 1 0 0 0 1 1h3v-1.5h-2.5v-1H17V10z',
  leave: 'M10 3h9a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2h-9v-2h9V5h-9zm-2 5 1.4 1.4L7.8 11H16v2H7.8l1.6 1.6L8 16l-4-4z',
};

export function Icon({ name }) {
  return (
    <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
      <path d={PATHS[name]} fill="currentColor" />
    </svg>
  );
}
