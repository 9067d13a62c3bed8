// Chat: history from our API, live messages from LiveKit data packets that the SERVER sent (topic
// lectern.chat, no sender participant), so nobody can post in someone else's name. Text is shown
// through textContent only.
import { RoomEvent } from 'livekit-client';
import { csrfToken } from './api.js';
import { el } from './dom.js';

export function setupChat({ room, root }) {
  const panel = document.getElementById('chat-panel');
  if (!panel) return;
  const api = `/api/v1/rooms/${encodeURIComponent(root.dataset.roomCode)}/chat`;
  const list = document.getElementById('chat-messages');
  const form = document.getElementById('chat-form');
  const input = document.getElementById('chat-text');
  const privateBox = document.getElementById('chat-private');
  const errorBox = document.getElementById('chat-error');
  const seen = new Set();

  function showError(text) {
    errorBox.textContent = text || '';
    errorBox.hidden = !text;
  }

  function add(message) {
    if (seen.has(message.id)) return;
    seen.add(message.id);
    const time = new Date(message.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    list.append(
      el('li', { className: `chat-message${message.private ? ' private' : ''}`, dataset: { id: String(message.id) } }, [
        el('span', { className: 'chat-sender', text: message.sender }),
        message.private ? el('span', { className: 'badge', text: 'to hosts' }) : null,
        el('time', { className: 'chat-time muted', datetime: message.created_at, text: time }),
        el('p', { className: 'chat-text', text: message.text }),
      ]),
    );
    list.scrollTop = list.scrollHeight;
  }

  async function loadHistory() {
    const response = await fetch(api, { credentials: 'same-origin' });
    if (response.ok) (await response.json()).forEach(add);
  }

  room.on(RoomEvent.Connected, loadHistory);
  room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    if (topic !== 'lectern.chat' || participant) return; // only the server speaks on this topic
    try {
      add(JSON.parse(new TextDecoder().decode(payload)));
    } catch {
      /* not ours */
    }
  });

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    const body = { text };
    if (privateBox?.checked) body.to = 'hosts';
    const response = await fetch(api, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) {
      showError(data?.detail || `Error ${response.status}`);
      return;
    }
    showError('');
    input.value = '';
    add(data);
  });
}
