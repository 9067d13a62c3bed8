// The host's live waiting room: knocks arrive over /ws/rooms/<code>/host/, decisions go to the API.
import { csrfToken } from './api.js';
import { el } from './dom.js';

function waitedFor(since) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(since).getTime()) / 1000));
  if (seconds < 60) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min`;
}

export function setupLobby({ root }) {
  const panel = document.getElementById('lobby-panel');
  if (!panel || root.dataset.role !== 'host') return;
  const code = root.dataset.roomCode;
  const api = `/api/v1/rooms/${encodeURIComponent(code)}`;
  const list = document.getElementById('lobby-list');
  const count = document.getElementById('lobby-count');
  const empty = document.getElementById('lobby-empty');
  const admitAll = document.getElementById('lobby-admit-all');
  const notice = document.getElementById('lobby-notice');
  const waiting = new Map(); // id -> entry
  let delay = 500;

  async function post(url, body) {
    const response = await fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
      body: JSON.stringify(body || {}),
    });
    if (!response.ok) {
      const data = await response.json().catch(() => null);
      showNotice(data?.detail || `Error ${response.status}`);
    }
    return response.ok;
  }

  function showNotice(text) {
    notice.textContent = text;
    notice.hidden = !text;
  }

  function render() {
    list.replaceChildren(
      ...[...waiting.values()].map((entry) =>
        el('li', { className: 'lobby-entry', dataset: { entryId: String(entry.id) } }, [
          el('span', { className: 'lobby-name', text: entry.display_name }),
          el('span', { className: 'lobby-waited muted', text: waitedFor(entry.waiting_since) }),
          el('button', {
            type: 'button',
            className: 'btn btn-small lobby-admit',
            text: 'Admit',
            'aria-label': `Admit ${entry.display_name}`,
            onclick: () => post(`${api}/lobby/${entry.id}/admit`),
          }),
          el('button', {
            type: 'button',
            className: 'btn btn-small lobby-reject',
            text: 'Reject',
            'aria-label': `Reject ${entry.display_name}`,
            onclick: () => post(`${api}/lobby/${entry.id}/reject`, {}),
          }),
        ]),
      ),
    );
    count.textContent = String(waiting.size);
    panel.dataset.count = String(waiting.size);
    empty.hidden = waiting.size > 0;
    admitAll.disabled = waiting.size === 0;
  }

  function connect() {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(`${scheme}://${location.host}/ws/rooms/${encodeURIComponent(code)}/host/`);
    socket.onopen = () => {
      delay = 500;
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type === 'lobby.snapshot') {
        waiting.clear();
        for (const entry of message.waiting) waiting.set(entry.id, entry);
      } else if (message.type === 'lobby.knock') {
        waiting.set(message.entry.id, message.entry);
      } else if (message.type === 'lobby.decided') {
        for (const id of message.ids) waiting.delete(id);
      } else if (message.type === 'security.pin_paused') {
        showNotice(message.message);
      }
      render();
      window.dispatchEvent(new CustomEvent('lectern:host-message', { detail: message }));
    };
    socket.onclose = () => {
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  admitAll.addEventListener('click', () => post(`${api}/lobby/admit-all`));
  document.getElementById('lobby-message-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = document.getElementById('lobby-message');
    const text = input.value.trim();
    if (text) post(`${api}/lobby/message`, { message: text }).then((ok) => ok && (input.value = ''));
  });
  setInterval(render, 10000); // keep the waiting times fresh
  render();
  connect();
}
