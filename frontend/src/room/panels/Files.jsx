// Shared files of the live lecture. Upload: POST .../files {name, size, content_type} → a ticket,
// then the bytes go to its upload_url by XHR so the progress bar can follow them. The list is the
// server's: polled while the call is up and refreshed on every upload (no participant data packets).
import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../../lib/http.js';

const POLL_MS = 5000;

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function sendBytes({ url, method, headers, file, onProgress }) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method || 'PUT', url);
    for (const [name, value] of Object.entries(headers || {})) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) return resolve();
      let detail = `The upload was refused (${xhr.status}).`;
      try {
        const data = JSON.parse(xhr.responseText);
        if (data && typeof data.detail === 'string') detail = data.detail;
      } catch {
        // S3 answers in XML; keep the generic message
      }
      return reject(new Error(detail));
    });
    xhr.addEventListener('error', () => reject(new Error('The upload failed: network error.')));
    xhr.addEventListener('abort', () => reject(new Error('The upload was cancelled.')));
    xhr.send(file);
  });
}

export function Files({ rooms, canUpload, active, onNew }) {
  const [files, setFiles] = useState([]);
  const [status, setStatus] = useState({ text: '', kind: 'info' });
  const [uploadState, setUploadState] = useState('');
  const [busy, setBusy] = useState(false);
  const [showProgress, setShowProgress] = useState(false);
  const progress = useRef(null);
  const input = useRef(null);
  const known = useRef(null);
  const url = `${rooms.base}/files`;

  const refresh = useCallback(async () => {
    try {
      const list = await api(url);
      if (!Array.isArray(list)) return;
      const before = known.current;
      known.current = new Set(list.map((f) => f.id));
      if (before && list.some((f) => !before.has(f.id))) onNew?.();
      setFiles(list);
    } catch {
      // offline for a moment or the lecture ended: the next poll tries again
    }
  }, [url, onNew]);

  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  useEffect(() => {
    if (active) refresh();
  }, [active, refresh]);

  async function upload(event) {
    event.preventDefault();
    const file = input.current?.files?.[0];
    if (!file) {
      setStatus({ text: 'Choose a file first.', kind: 'error' });
      return;
    }
    setBusy(true);
    setShowProgress(true);
    if (progress.current) progress.current.value = 0;
    setUploadState('uploading');
    setStatus({ text: `Uploading ${file.name}…`, kind: 'info' });
    try {
      const ticket = await api(url, {
        method: 'POST',
        body: { name: file.name, size: file.size, content_type: file.type || 'application/octet-stream' },
      });
      await sendBytes({
        url: ticket.upload_url,
        method: ticket.method,
        headers: ticket.headers,
        file,
        onProgress: (fraction) => {
          if (progress.current) progress.current.value = Math.round(fraction * 100);
        },
      });
      if (progress.current) progress.current.value = 100;
      setUploadState('done');
      setStatus({ text: `Shared ${file.name}.`, kind: 'info' });
      event.target.reset();
      await refresh();
    } catch (err) {
      setUploadState('error');
      setStatus({ text: err.message, kind: 'error' });
    } finally {
      setBusy(false);
    }
  }

  return (
    <section
      id="files-panel"
      className="panel files-panel"
      aria-labelledby="files-heading"
      data-upload-state={uploadState || undefined}
      hidden={!active}
    >
      <h2 id="files-heading">Files</h2>
      {canUpload && (
        <form id="file-upload" className="file-upload" onSubmit={upload} noValidate>
          <label htmlFor="file-input">Share a file</label>
          <input id="file-input" ref={input} name="file" type="file" />
          <button id="file-upload-button" type="submit" className="btn" disabled={busy}>
            Share
          </button>
          <progress id="file-progress" ref={progress} max="100" hidden={!showProgress} aria-label="Upload progress" />
        </form>
      )}
      <p id="file-status" className="file-status muted" data-kind={status.kind} role="status" aria-live="polite">
        {status.text}
      </p>
      <ul id="file-list" className="file-list" aria-label="Shared files">
        {files.map((file) => (
          <li key={file.id} data-file-id={file.id}>
            <a href={file.download_url} download={file.name}>
              {file.name}
            </a>
            <span className="file-meta">
              {formatSize(file.size)} · {file.uploader_name}
            </span>
          </li>
        ))}
      </ul>
      {files.length === 0 && (
        <p id="file-empty" className="muted">
          No files shared yet.
        </p>
      )}
    </section>
  );
}
