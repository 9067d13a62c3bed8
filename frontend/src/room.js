// Entry point of the room page bundle (static/build/room.js).
//
// Page contract: <div id="room-app" data-token-url="..." data-role="host|guest"
// data-display-name="...">. With a token URL the page joins at once; without
// one it waits for credentials from other code:
//   window.dispatchEvent(new CustomEvent('lectern:credentials',
//     { detail: { livekit_url, token, identity } }))
// or window.lectern.connect({...}).
//
// Features (lobby, captions, chat, hand raise...) are modules under ./room/
// with a setupX({ room, root, status }) function called from start() below;
// each subscribes to the one long-lived Room's events. Code outside the bundle
// can use window.lectern.room, or listen for 'lectern:ready',
// 'lectern:connected', 'lectern:disconnected', 'lectern:left', 'lectern:error'.
import { createRoom, emit, setupSession } from './room/connect.js';
import { setupControls } from './room/controls.js';
import { setupInvite } from './room/invite.js';
import { setupStatus } from './room/status.js';
import { setupTiles } from './room/tiles.js';
import { setupCaptions } from './room/captions.js';
import { setupChat } from './room/chat.js';
import { setupFiles } from './room/files.js';
import { setupGuest } from './room/guest.js';
import { setupLobby } from './room/lobby.js';
import { setupParticipants } from './room/participants.js';
import { setupRecording } from './room/recording.js';

/** The page's livekit-client Room (null when the page has no #room-app). */
export let room = null;
let session = null;

/** Connect with {livekit_url, token, identity}; resolves true once connected. */
export function connect(credentials) {
  if (!session) return Promise.reject(new Error('No #room-app on this page'));
  return session.connect(credentials);
}

function start() {
  const root = document.getElementById('room-app');
  if (!root) return;

  room = createRoom();
  const status = setupStatus({ room, root });
  setupTiles({ room, root, localName: root.dataset.displayName || '' });
  session = setupSession({ room, tokenUrl: () => root.dataset.tokenUrl || '', status });
  setupControls({ room, root, onLeave: session.leave, setMediaProblem: status.setMediaProblem });
  setupInvite();
  const features = { room, root, status };
  setupGuest(features);
  setupLobby(features);
  setupParticipants(features);
  setupChat(features);
  setupCaptions(features);
  setupFiles(features);
  setupRecording(features);

  const safeConnect = (credentials) =>
    connect(credentials).catch((err) => {
      status.showNotice({ kind: 'error', title: 'Could not join the lecture', detail: err.message });
      return false;
    });

  window.addEventListener('lectern:credentials', (event) => safeConnect(event.detail));
  window.lectern = Object.assign(window.lectern || {}, {
    connect: safeConnect,
    leave: session.leave,
    rejoin: session.rejoin,
    room,
    root,
  });

  if (root.dataset.tokenUrl) session.join();
  else status.setConnectionState('disconnected');
  emit('ready', window.lectern);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
