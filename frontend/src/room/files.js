// Files panel of the room page (templates/rooms/panels/files.html).
//
// Upload: POST /api/v1/rooms/{code}/files {name, size, content_type} -> {id, upload_url, method,
// headers}, then the bytes go to upload_url with XHR so the <progress> bar can follow them.
// The list: GET /api/v1/rooms/{code}/files, every few seconds while connected, and at once when
// a LiveKit data message on topic "lectern.files" arrives. That message is only a hint to
// refresh (its content is never trusted or shown): the server's list is the truth.
import { ConnectionState, RoomEvent } from 'livekit-client';
import { csrfToken } from './api.js';
import { el } from './dom.js';

export const FILES_TOPIC = 'lectern.files';
const POLL_MS = 5000;

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

async function readDetail(response) {
  try {
    const data = await response.json();
    if (data && typeof data.detail === 'string' && data.detail) return data.detail;
  } catch {
    // not JSON
  }
  return `The server answered ${response.status}.`;
}

/** PUT (or the method given) `file` to `url` with `headers`, reporting progress 0..1. */
function sendBytes({ url, method, headers, file, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method || 'PUT', url);
    for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else {
        let detail = `The upload was refused (${xhr.status}).`;
        try {
          const data = JSON.parse(xhr.responseText);
          if (data && typeof data.detail === 'string') detail = data.detail;
        } catch {
          // S3 answers in XML; keep the generic message
        }
        reject(new Error(detail));
      }
    });
    xhr.addEventListener('error', () => reject(new Error('The upload failed: network error.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    xhr.send(file);
  });
}

export function setupFiles({ room, root }) {
  const panel = document.getElementById('files-panel');
  const code = root?.dataset.roomCode;
  if (!panel || !code) return null;

  const base = `/api/v1/rooms/${encodeURIComponent(code)}/files`;
  const listEl = document.getElementById('file-list');
  const emptyEl = document.getElementById('file-empty');
  const statusEl = document.getElementById('file-status');
  const form = document.getElementById('file-upload');
  const input = document.getElementById('file-input');
  const button = document.getElementById('file-upload-button');
  const progress = document.getElementById('file-progress');

  const known = new Set();
  let timer = null;
  let loading = null;
  let stopped = false;

  function setStatus(text, kind = 'info') {
    statusEl.textContent = text;
    statusEl.dataset.kind = kind;
  }

  function render(files) {
    const first = known.size === 0;
    const items = files.map((file) => {
      const isNew = !first && !known.has(file.id);
      known.add(file.id);
      return el('li', { className: isNew ? 'new' : null, dataset: { fileId: String(file.id) } }, [
        el('a', { href: file.download_url, download: file.name, text: file.name }),
        el('span', {
          className: 'file-meta',
          text: `${formatSize(file.size)} · ${file.uploader_name}`,
        }),
      ]);
    });
    listEl.replaceChildren(...items);
    emptyEl.hidden = files.length > 0;
  }

  async function refresh() {
    if (loading) return loading;
    loading = (async () => {
      try {
        const response = await fetch(base, {
          credentials: 'same-origin',
          headers: { Accept: 'application/json' },
        });
        if (response.status === 409) {
          stop(); // the lecture ended: nothing more will be shared
          return;
        }
        if (!response.ok) return;
        const files = await response.json();
        if (Array.isArray(files)) render(files);
      } catch {
        // offline for a moment: the next poll tries again
      } finally {
        loading = null;
      }
    })();
    return loading;
  }

  function start() {
    stopped = false;
    refresh();
    if (!timer) timer = window.setInterval(refresh, POLL_MS);
  }

  function stop() {
    stopped = true;
    if (timer) window.clearInterval(timer);
    timer = null;
  }

  async function announce() {
    // Others refresh sooner; if this participant may not publish data, their polling still catches up.
    if (room.state !== ConnectionState.Connected) return;
    try {
      const payload = new TextEncoder().encode(JSON.stringify({ type: 'files.changed' }));
      await room.localParticipant.publishData(payload, { reliable: true, topic: FILES_TOPIC });
    } catch {
      // no data permission: fine
    }
  }

  async function upload(file) {
    button.disabled = true;
    progress.hidden = false;
    progress.value = 0;
    panel.dataset.uploadState = 'uploading';
    setStatus(`Uploading ${file.name}…`);
    try {
      const response = await fetch(base, {
        method: 'POST',
        credentials: 'same-origin',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'X-CSRFToken': csrfToken(),
        },
        body: JSON.stringify({
          name: file.name,
          size: file.size,
          content_type: file.type || 'application/octet-stream',
        }),
      });
      if (!response.ok) throw new Error(await readDetail(response));
      const ticket = await response.json();
      await sendBytes({
        url: ticket.upload_url,
        method: ticket.method,
        headers: ticket.headers,
        file,
        onProgress: (fraction) => {
          progress.value = Math.round(fraction * 100);
        },
      });
      progress.value = 100;
      panel.dataset.uploadState = 'done';
      setStatus(`Shared ${file.name}.`);
      form.reset();
      await refresh();
      announce();
    } catch (err) {
      panel.dataset.uploadState = 'error';
      setStatus(err.message, 'error');
    } finally {
      button.disabled = false;
      window.setTimeout(() => {
        if (panel.dataset.uploadState !== 'uploading') progress.hidden = true;
      }, 1500);
    }
  }

  form?.addEventListener('submit', (event) => {
    event.preventDefault();
    const file = input.files && input.files[0];
    if (!file) {
      setStatus('Choose a file first.', 'error');
      return;
    }
    upload(file);
  });

  room.on(RoomEvent.DataReceived, (_payload, _participant, _kind, topic) => {
    if (topic === FILES_TOPIC && !stopped) refresh();
  });
  room.on(RoomEvent.Connected, start);
  room.on(RoomEvent.Disconnected, stop);
  // The host's page lists at once (the room is live as soon as its token was issued).
  window.addEventListener('lectern:ready', () => refresh(), { once: true });

  return { refresh, start, stop };
}
