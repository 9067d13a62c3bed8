// Live captions from the AI assistant and the running transcript.
//
// The assistant publishes each caption as a text stream on `lk.transcription` with LiveKit's
// standard attributes (`lk.segment_id`, `lk.transcription_final`, `lk.transcribed_track_id`) and
// `lectern.start`. Only a stream whose sender is a participant of kind AGENT is accepted; lines are
// keyed by sender + segment id; the speaker's name is the name LiveKit reports for the participant
// that owns the transcribed track (our server set it in the token), never an attribute the sender
// chose. Text goes into the page as text only.
import { useCallback, useEffect, useRef, useState } from 'react';
import { RoomEvent } from 'livekit-client';
import { onServerMessage, TOPICS } from '../lib/serverMessages.js';

const TOPIC = 'lk.transcription';
const MAX_LINES = 3;
const FINAL_LINGERS_MS = 7000;

function clock(seconds) {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** The participant that published track `sid`, among those the room knows (local included). */
function ownerOfTrack(room, sid) {
  if (!sid) return null;
  for (const p of [room.localParticipant, ...room.remoteParticipants.values()]) {
    if (p?.trackPublications?.has(sid)) return p;
  }
  return null;
}

export function useCaptions(room) {
  const [lines, setLines] = useState([]); // live lines under the video
  const [transcript, setTranscript] = useState([]);
  const timers = useRef(new Map());
  const written = useRef(new Set());

  const drop = useCallback((key) => {
    clearTimeout(timers.current.get(key));
    timers.current.delete(key);
    setLines((current) => current.filter((line) => line.key !== key));
  }, []);

  useEffect(() => {
    const handler = async (reader, sender) => {
      let text;
      try {
        text = await reader.readAll();
      } catch {
        return;
      }
      const from = room.remoteParticipants.get(sender?.identity);
      if (!from?.isAgent) return; // only the assistant speaks on this topic
      const attributes = reader.info.attributes || {};
      const segment = attributes['lk.segment_id'];
      if (!segment) return;
      const key = `${from.identity}:${segment}`;
      const owner = ownerOfTrack(room, attributes['lk.transcribed_track_id']);
      if (!owner || owner.isAgent) return;
      const name = owner.isLocal ? 'You' : owner.name || owner.identity;
      const final = attributes['lk.transcription_final'] === 'true';
      const start = Number.parseFloat(attributes['lectern.start']);
      const clean = (text || '').trim();
      if (!clean) {
        drop(key);
        return;
      }
      setLines((current) => {
        const others = current.filter((line) => line.key !== key);
        const next = [...others, { key, name, text: clean, final }];
        return next.slice(-MAX_LINES);
      });
      if (final) {
        clearTimeout(timers.current.get(key));
        timers.current.set(key, setTimeout(() => drop(key), FINAL_LINGERS_MS));
        if (!written.current.has(key)) {
          written.current.add(key);
          setTranscript((current) => [...current, { key, name, text: clean, start }]);
        }
      }
    };
    room.registerTextStreamHandler(TOPIC, handler);
    const clear = () => setLines([]);
    room.on(RoomEvent.Disconnected, clear);
    return () => {
      room.unregisterTextStreamHandler?.(TOPIC);
      room.off(RoomEvent.Disconnected, clear);
    };
  }, [room, drop]);

  return { lines, transcript };
}

export function CaptionsBar({ lines, size }) {
  return (
    <div id="captions-bar" className="captions-bar" data-size={size} aria-live="off">
      {lines.map((line) => (
        <p key={line.key} className="caption" data-final={String(line.final)}>
          <span className="caption-speaker">{line.name}</span>
          <span className="caption-text">{line.text}</span>
        </p>
      ))}
    </div>
  );
}

export function Transcript({ transcript, active }) {
  const list = useRef(null);
  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [transcript, active]);
  return (
    <section id="transcript-panel" className="panel transcript-panel" aria-labelledby="transcript-heading" hidden={!active}>
      <h2 id="transcript-heading">Transcript so far</h2>
      {transcript.length === 0 && (
        <p id="transcript-empty" className="muted">
          Nothing has been transcribed yet.
        </p>
      )}
      <ol id="transcript-list" ref={list} className="transcript-list">
        {transcript.map((line) => (
          <li key={line.key} className="transcript-line" data-start={String(line.start)}>
            <time className="transcript-time">{clock(line.start)}</time>
            <span className="transcript-speaker">{line.name}</span>
            <span className="transcript-text">{line.text}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** Hosts: "Captions unavailable: assistant at capacity" while the server says no assistant will come
 * (the live socket sends it on connect and when it changes); nothing otherwise. */
export function CaptionsUnavailable({ room }) {
  const [text, setText] = useState('');
  useEffect(
    () =>
      onServerMessage(room, [TOPICS.captions], (_topic, message) => {
        setText(message.unavailable && typeof message.text === 'string' ? message.text : '');
      }),
    [room],
  );
  if (!text) return null;
  return (
    <span id="captions-unavailable" className="assistant-notice notice-warning" role="status">
      {text}
    </span>
  );
}
