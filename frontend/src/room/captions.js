// Live captions from the AI assistant (agent/ on the server) and the running transcript.
//
// The assistant publishes every caption as a small text stream on the `lk.transcription` topic,
// sent on behalf of the speaker, with LiveKit's standard attributes: `lk.segment_id` (shared by
// the interim versions and the final of one utterance), `lk.transcription_final`, and
// `lk.transcribed_track_id`; Lectern adds `lectern.start` (seconds into the lecture). Each stream
// carries the whole text so far: an interim line is replaced by the next, a final one stays.
//
// The captions bar shows the last few lines with the speaker's name; the transcript panel keeps
// every final line. Everything said goes into the page through textContent only.
import { RoomEvent } from 'livekit-client';
import { el } from './dom.js';

const TOPIC = 'lk.transcription';
const MAX_LINES = 3;
const FINAL_LINGERS_MS = 7000;
const STORAGE_KEY = 'lectern.captions';

function clock(seconds) {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? seconds : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function readPreference() {
  try {
    return window.localStorage.getItem(STORAGE_KEY) !== 'off';
  } catch {
    return true;
  }
}

function savePreference(on) {
  try {
    window.localStorage.setItem(STORAGE_KEY, on ? 'on' : 'off');
  } catch {
    // private browsing: the choice lasts for this page only
  }
}

export function setupCaptions({ room }) {
  const section = document.getElementById('captions');
  if (!section) return;
  const bar = document.getElementById('captions-bar');
  const toggle = document.getElementById('captions-toggle');
  const notice = document.getElementById('assistant-notice');
  const transcriptToggle = document.getElementById('transcript-toggle');
  const transcriptPanel = document.getElementById('transcript-panel');
  const transcriptList = document.getElementById('transcript-list');
  const transcriptEmpty = document.getElementById('transcript-empty');

  const lines = new Map(); // segment id -> { node, text, timer }
  const written = new Set(); // segment ids already in the transcript
  let captionsOn = readPreference();

  function speakerName(identity, attributes) {
    if (identity && identity === room.localParticipant?.identity) return 'You';
    const participant = room.remoteParticipants.get(identity);
    return participant?.name || attributes['lectern.speaker_name'] || identity || 'Someone';
  }

  function showCaptions(on) {
    captionsOn = on;
    savePreference(on);
    bar.hidden = !on;
    toggle.setAttribute('aria-pressed', String(on));
    toggle.textContent = on ? 'Captions on' : 'Captions off';
  }

  function dropLine(segmentId) {
    const line = lines.get(segmentId);
    if (!line) return;
    clearTimeout(line.timer);
    line.node.remove();
    lines.delete(segmentId);
  }

  function showLine({ segmentId, name, text, final }) {
    let line = lines.get(segmentId);
    if (!line) {
      const node = el('p', { className: 'caption', dataset: { segment: segmentId } }, [
        el('span', { className: 'caption-speaker', text: name }),
        el('span', { className: 'caption-text' }),
      ]);
      bar.append(node);
      line = { node, timer: null };
      lines.set(segmentId, line);
      while (lines.size > MAX_LINES) dropLine(lines.keys().next().value);
    }
    line.node.querySelector('.caption-text').textContent = text;
    line.node.dataset.final = String(final);
    if (final) {
      clearTimeout(line.timer);
      line.timer = setTimeout(() => dropLine(segmentId), FINAL_LINGERS_MS);
    }
  }

  function writeTranscript({ segmentId, name, text, start }) {
    if (written.has(segmentId)) return;
    written.add(segmentId);
    const atBottom =
      transcriptPanel.scrollTop + transcriptPanel.clientHeight >= transcriptPanel.scrollHeight - 8;
    transcriptList.append(
      el('li', { className: 'transcript-line', dataset: { start: String(start) } }, [
        el('time', { className: 'transcript-time', text: clock(start) }),
        el('span', { className: 'transcript-speaker', text: name }),
        el('span', { className: 'transcript-text', text }),
      ]),
    );
    transcriptEmpty.hidden = true;
    if (atBottom) transcriptPanel.scrollTop = transcriptPanel.scrollHeight;
  }

  function onCaption({ identity, attributes, text }) {
    const segmentId = attributes['lk.segment_id'] || `${identity}-${Date.now()}`;
    const final = attributes['lk.transcription_final'] === 'true';
    const name = speakerName(identity, attributes);
    const start = Number.parseFloat(attributes['lectern.start']);
    const clean = (text || '').trim();
    if (!clean) {
      dropLine(segmentId); // the assistant withdrew an interim it had shown
      return;
    }
    showLine({ segmentId, name, text: clean, final });
    if (final) writeTranscript({ segmentId, name, text: clean, start });
  }

  room.registerTextStreamHandler(TOPIC, async (reader, participantInfo) => {
    try {
      const text = await reader.readAll();
      onCaption({ identity: participantInfo?.identity, attributes: reader.info.attributes || {}, text });
    } catch (err) {
      console.warn('could not read a caption', err);
    }
  });

  function updateNotice() {
    const present = [...room.remoteParticipants.values()].some((p) => p.isAgent);
    notice.hidden = !present;
    section.dataset.assistant = present ? 'listening' : 'absent';
  }

  room
    .on(RoomEvent.Connected, updateNotice)
    .on(RoomEvent.ParticipantConnected, updateNotice)
    .on(RoomEvent.ParticipantDisconnected, updateNotice)
    .on(RoomEvent.Disconnected, () => {
      for (const segmentId of [...lines.keys()]) dropLine(segmentId);
      updateNotice();
    });

  toggle.addEventListener('click', () => showCaptions(!captionsOn));
  transcriptToggle.addEventListener('click', () => {
    const open = transcriptPanel.hidden;
    transcriptPanel.hidden = !open;
    transcriptToggle.setAttribute('aria-expanded', String(open));
    if (open) transcriptPanel.scrollTop = transcriptPanel.scrollHeight;
  });

  showCaptions(captionsOn);
  updateNotice();
}
