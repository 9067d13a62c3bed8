// Recording: the "● Recording" indicator everyone sees, the host's Record / Stop recording button,
// and "Recording stopped: …" when the recorder fails. The state comes from
// GET /api/v1/rooms/{code}/recording when the call starts, then from the server's
// {"type": "recording.status"} messages (serverMessages: our live socket).
import { useCallback, useEffect, useState } from 'react';
import { useRoomContext } from '@livekit/components-react';
import { api } from '../lib/http.js';
import { onServerMessage, TOPICS } from '../lib/serverMessages.js';
import { Icon } from './icons.jsx';

const LABELS = { starting: 'Recording starting…', recording: 'Recording', processing: 'Saving recording…' };

export function useRecording(code, onFailed) {
  const room = useRoomContext();
  const [recording, setRecording] = useState(null);
  const [busy, setBusy] = useState(false);
  const url = `/api/v1/rooms/${encodeURIComponent(code)}/recording`;

  useEffect(() => {
    let alive = true;
    api(url)
      .then((data) => alive && setRecording(data?.recording ?? null))
      .catch(() => {}); // not in the lecture (yet): nothing to show
    const off = onServerMessage(room, [TOPICS.recording], (_topic, message) => {
      const next = message.recording ?? null;
      setRecording(next);
      if (next?.status === 'failed') onFailed(next.error || 'the recorder failed.');
    });
    return () => {
      alive = false;
      off();
    };
  }, [room, url, onFailed]);

  const running = Boolean(recording) && (recording.status === 'starting' || recording.status === 'recording');
  const toggle = useCallback(async () => {
    setBusy(true);
    try {
      const data = await api(url, { method: 'POST', body: { action: running ? 'stop' : 'start' } });
      setRecording({ ...data.recording, recording: !running, error: '' });
    } catch (error) {
      onFailed(error.message);
    } finally {
      setBusy(false);
    }
  }, [url, running, onFailed]);

  return { recording, running, busy, toggle };
}

export function RecordingIndicator({ recording }) {
  const label = LABELS[recording?.status];
  if (!label) return null;
  return (
    <span id="recording-indicator" className="badge recording-indicator" role="status" data-status={recording.status}>
      ● {label}
    </span>
  );
}

export function RecordButton({ recording, running, busy, toggle }) {
  return (
    <button
      id="toggle-recording"
      type="button"
      className="control"
      aria-pressed={running}
      disabled={busy || recording?.status === 'processing'}
      onClick={toggle}
    >
      <Icon name="record" />
      <span className="control-label">{running ? 'Stop recording' : 'Record'}</span>
    </button>
  );
}
