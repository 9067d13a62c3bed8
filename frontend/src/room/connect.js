// The session: one livekit-client Room for the page's lifetime, plus joining
// (token URL -> credentials -> Room.connect -> camera/mic), leaving, retrying
// and explaining disconnects.
import { ConnectionState, DisconnectReason, Room, RoomEvent } from 'livekit-client';
import { fetchCredentials } from './api.js';
import { describeMediaError, enableCameraAndMicrophone } from './media.js';
import { describeDisconnect } from './status.js';

export function createRoom() {
  return new Room({ adaptiveStream: true, dynacast: true });
}

/** Tell other code on the page: window 'lectern:<name>' CustomEvent. */
export function emit(name, detail) {
  window.dispatchEvent(new CustomEvent(`lectern:${name}`, { detail }));
}

export function setupSession({ room, tokenUrl, status }) {
  let lastCredentials = null;
  let attempt = 0; // bumps on every connect/leave; stale attempts go quiet
  let quiet = false; // disconnecting on purpose to connect again
  let leaving = false;
  let wasConnected = false;

  const retry = { id: 'retry', label: 'Retry', onClick: () => rejoin() };
  const rejoinAction = { id: 'rejoin', label: 'Rejoin', onClick: () => rejoin() };

  function showLeft() {
    status.showNotice({ kind: 'left', title: 'You left the lecture', actions: [rejoinAction] });
  }

  room.on(RoomEvent.Connected, () => {
    wasConnected = true;
    emit('connected', { room });
  });

  room.on(RoomEvent.Disconnected, (reason) => {
    const hadConnected = wasConnected;
    wasConnected = false;
    status.clearMediaProblems();
    emit('disconnected', { room, reason });
    if (quiet || leaving || !hadConnected) return;
    if (reason === DisconnectReason.CLIENT_INITIATED) {
      showLeft(); // someone called room.disconnect() directly
      return;
    }
    const info = describeDisconnect(reason);
    const actions = info.canRejoin ? [rejoinAction] : [];
    const lectureUrl = window.lectern?.lectureUrl;
    if (info.kind === 'ended' && lectureUrl) {
      actions.push({ id: 'open-lecture', label: 'Open the lecture page', onClick: () => location.assign(lectureUrl) });
    }
    status.showNotice({ ...info, actions });
  });

  /** Connect with credentials {livekit_url, token, identity}. Resolves true once connected. */
  async function connect(credentials) {
    if (!credentials || !credentials.livekit_url || !credentials.token) {
      throw new TypeError('lectern.connect() needs {livekit_url, token}');
    }
    lastCredentials = credentials;
    const mine = ++attempt;
    status.clearNotice();
    if (room.state !== ConnectionState.Disconnected) {
      quiet = true;
      try {
        await room.disconnect();
      } finally {
        quiet = false;
      }
    }
    if (mine !== attempt) return false;

    status.setConnectionState(ConnectionState.Connecting);
    try {
      await room.connect(credentials.livekit_url, credentials.token);
    } catch (err) {
      if (mine !== attempt) return false;
      status.setConnectionState(ConnectionState.Disconnected);
      status.showNotice({
        kind: 'error',
        title: 'Could not reach the video server',
        detail: err?.message || String(err),
        actions: [retry],
      });
      emit('error', { error: err });
      return false;
    }
    if (mine !== attempt) return false;

    // Without publish rights (webinar, panic) there is nothing to turn on.
    if (room.localParticipant.permissions && room.localParticipant.permissions.canPublish === false) return true;
    // Stay connected whatever happens here: a blocked camera only warns.
    await enableCameraAndMicrophone(room.localParticipant, (kind, err) => {
      status.setMediaProblem(kind, err ? describeMediaError(kind, err) : null);
    });
    return true;
  }

  /** Fetch fresh credentials from the token URL, then connect. */
  async function join() {
    const url = typeof tokenUrl === 'function' ? tokenUrl() : tokenUrl;
    if (!url) {
      return lastCredentials ? connect(lastCredentials) : false;
    }
    const mine = ++attempt;
    status.clearNotice();
    status.setConnectionState(ConnectionState.Connecting);
    let credentials;
    try {
      credentials = await fetchCredentials(url);
    } catch (err) {
      if (mine !== attempt) return false;
      status.setConnectionState(ConnectionState.Disconnected);
      status.showNotice({
        kind: 'error',
        title: 'Could not join the lecture',
        detail: err.message,
        actions: [retry],
      });
      emit('error', { error: err });
      return false;
    }
    if (mine !== attempt) return false;
    return connect(credentials);
  }

  /** Retry / Rejoin: a fresh token when we have a token URL, else the last credentials. */
  function rejoin() {
    return join();
  }

  async function leave() {
    attempt++;
    leaving = true;
    try {
      await room.disconnect();
    } finally {
      leaving = false;
    }
    status.setConnectionState(ConnectionState.Disconnected);
    showLeft();
    emit('left', { room });
  }

  return { connect, join, rejoin, leave };
}
