// Recording: the "Recording" indicator everyone sees (#recording-indicator), the host's Record
// button, and "Recording stopped: …" when egress fails. State comes from
// GET /api/v1/rooms/{code}/recording on connect and live from the server's data packets on
// lectern.recording ({"type": "recording.status", "recording": {id, status, recording, error} | null}).
import { RoomEvent } from 'livekit-client';
import { csrfToken } from './api.js';
import { el, ensureById } from './dom.js';

const TOPIC = 'lectern.recording';
const LABELS = { starting: 'Recording starting…', recording: 'Recording', processing: 'Saving recording…' };

export function setupRecording({ room, root, status }) {
  const code = root.dataset.roomCode;
  if (!code) return;
  const isHost = root.dataset.role === 'host';
  const header = root.querySelector('.room-heading') || root;
  const indicator = ensureById('recording-indicator', header, 'span', {
    className: 'badge recording-indicator',
    role: 'status',
    hidden: true,
  });
  let current = null;
  let button = null;
  let busy = false;

  function render(recording) {
    current = recording;
    const state = recording?.status;
    const label = LABELS[state];
    indicator.hidden = !label;
    indicator.textContent = label ? `● ${label}` : '';
    indicator.dataset.status = state || 'off';
    root.dataset.recording = recording?.recording ? 'on' : 'off';
    if (button) {
      const running = state === 'starting' || state === 'recording';
      button.textContent = running ? 'Stop recording' : 'Record';
      button.setAttribute('aria-pressed', String(running));
      button.disabled = busy || state === 'processing';
    }
  }

  async function call(method, body) {
    const response = await fetch(`/api/v1/rooms/${encodeURIComponent(code)}/recording`, {
      method,
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken() },
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new Error(data?.detail || `The server answered ${response.status}`);
    return data;
  }

  async function refresh() {
    try {
      render((await call('GET')).recording);
    } catch {
      // not a participant yet, or the room ended: nothing to show
    }
  }

  if (isHost) {
    const controls = root.querySelector('#controls') || root;
    button = el('button', { id: 'toggle-recording', type: 'button', className: 'btn', text: 'Record' });
    controls.insertBefore(button, controls.querySelector('#leave'));
    button.addEventListener('click', async () => {
      const running = current && (current.status === 'starting' || current.status === 'recording');
      busy = true;
      button.disabled = true;
      try {
        const data = await call('POST', { action: running ? 'stop' : 'start' });
        render({ ...data.recording, recording: !running, error: '' });
      } catch (err) {
        status.showNotice({ kind: 'error', title: 'Recording', detail: err.message });
      } finally {
        busy = false;
        render(current);
      }
    });
  }

  room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    if (topic !== TOPIC || participant) return; // only the server speaks on this topic
    let message;
    try {
      message = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    const recording = message.recording;
    render(recording);
    if (isHost && recording?.status === 'failed') {
      status.showNotice({ kind: 'error', title: `Recording stopped: ${recording.error || 'the recorder failed.'}` });
    }
  });
  room.on(RoomEvent.Connected, refresh);
}
