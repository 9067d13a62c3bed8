// Connection-state pill (#connection-state), the main notice (#room-notice)
// and per-device media warnings (#media-notice).
import { ConnectionState, DisconnectReason, RoomEvent } from 'livekit-client';
import { el, ensureById } from './dom.js';

const LABELS = {
  [ConnectionState.Connecting]: 'connecting',
  [ConnectionState.Connected]: 'connected',
  [ConnectionState.Reconnecting]: 'reconnecting',
  [ConnectionState.SignalReconnecting]: 'reconnecting',
  [ConnectionState.Disconnected]: 'disconnected',
};

/** What to tell the user when the server (not the user) ended the session. */
export function describeDisconnect(reason) {
  switch (reason) {
    case DisconnectReason.PARTICIPANT_REMOVED:
      return { title: 'You were removed from the lecture by the host', kind: 'removed', canRejoin: false };
    case DisconnectReason.ROOM_DELETED:
    case DisconnectReason.ROOM_CLOSED:
      return { title: 'The lecture has ended', kind: 'ended', canRejoin: false };
    case DisconnectReason.DUPLICATE_IDENTITY:
      return {
        title: 'You joined from another tab or device',
        detail: 'This window was disconnected.',
        kind: 'info',
        canRejoin: true,
      };
    case DisconnectReason.SERVER_SHUTDOWN:
      return { title: 'The video server restarted', kind: 'error', canRejoin: true };
    default:
      return {
        title: 'Connection to the video server was lost',
        detail: reason ? `Reason: ${String(DisconnectReason[reason] || reason).toLowerCase().replace(/_/g, ' ')}` : '',
        kind: 'error',
        canRejoin: true,
      };
  }
}

export function setupStatus({ room, root }) {
  const header = root.querySelector('.room-header') || root;
  const stateEl = ensureById('connection-state', header, 'span', {
    className: 'connection-state',
    role: 'status',
  });
  const noticeEl = ensureById('room-notice', root, 'div', { className: 'notice', hidden: true });
  const mediaEl = ensureById('media-notice', root, 'div', {
    className: 'notice notice-warning',
    role: 'status',
    hidden: true,
  });
  const mediaProblems = new Map(); // kind -> message

  function setConnectionState(state) {
    const label = LABELS[state] || state;
    stateEl.textContent = label;
    stateEl.dataset.state = label;
    root.dataset.state = label;
    document.body.dataset.roomState = label;
  }

  /**
   * Show the main notice. actions: [{id, label, onClick, primary}]
   * kind: 'error' | 'info' | 'left' | 'ended' (styling hook via data-kind).
   */
  function showNotice({ title, detail = '', kind = 'info', actions = [] }) {
    const parts = [
      el('p', { className: 'notice-title', text: title }),
      detail ? el('p', { className: 'notice-detail', text: detail }) : null,
      actions.length
        ? el(
            'div',
            { className: 'notice-actions' },
            actions.map((a) =>
              el('button', {
                type: 'button',
                id: a.id,
                className: a.primary === false ? 'btn' : 'btn btn-primary',
                text: a.label,
                onclick: a.onClick,
              }),
            ),
          )
        : null,
    ];
    noticeEl.replaceChildren(...parts.filter(Boolean));
    noticeEl.dataset.kind = kind;
    noticeEl.setAttribute('role', kind === 'error' ? 'alert' : 'status');
    noticeEl.hidden = false;
    noticeEl.querySelector('button')?.focus({ preventScroll: true });
  }

  function clearNotice() {
    noticeEl.hidden = true;
    noticeEl.replaceChildren();
    delete noticeEl.dataset.kind;
  }

  /** Set or clear (message = null) the warning for one device kind. */
  function setMediaProblem(kind, message) {
    if (message) mediaProblems.set(kind, message);
    else mediaProblems.delete(kind);
    mediaEl.replaceChildren(
      ...[...mediaProblems].map(([k, msg]) =>
        el('p', { className: 'media-problem', dataset: { kind: k }, text: msg }),
      ),
    );
    mediaEl.hidden = mediaProblems.size === 0;
  }

  function clearMediaProblems() {
    mediaProblems.clear();
    setMediaProblem('', null);
  }

  room.on(RoomEvent.ConnectionStateChanged, setConnectionState);

  return { setConnectionState, showNotice, clearNotice, setMediaProblem, clearMediaProblems };
}
