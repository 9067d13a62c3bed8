// People in the room, with moderation for hosts and co-hosts: kick, ban, speak, co-host, the hand
// queue, the panic button and "end for all". Everything goes through our API, which decides who is
// a host from the database; roles shown here come from LiveKit attributes our server set.
// Students get a "raise hand" toggle. Server-sent notices (no sender participant) are shown;
// data from participants is never treated as a command.
import { RoomEvent } from 'livekit-client';
import { csrfToken } from './api.js';
import { el } from './dom.js';

function roleOf(participant) {
  return participant.attributes?.role || 'guest';
}

export function setupParticipants({ room, root, status }) {
  const panel = document.getElementById('participants-panel');
  if (!panel) return;
  const code = root.dataset.roomCode;
  const api = `/api/v1/rooms/${encodeURIComponent(code)}`;
  const list = document.getElementById('participants-list');
  const notice = document.getElementById('moderation-notice');
  const isHostPage = root.dataset.role === 'host';
  let myRole = isHostPage ? 'host' : 'guest';

  function say(text) {
    notice.textContent = text || '';
    notice.hidden = !text;
  }

  async function post(path, body) {
    const response = await fetch(`${api}${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => null);
    if (!response.ok) say(data?.detail || `Error ${response.status}`);
    return response.ok ? data : null;
  }

  const moderating = () => myRole === 'host' || myRole === 'cohost';

  function actionsFor(participant) {
    const role = roleOf(participant);
    if (!moderating() || participant.isLocal || role === 'host' || participant.isAgent) return [];
    if (role === 'cohost' && myRole !== 'host') return [];
    const name = participant.name || participant.identity;
    const id = encodeURIComponent(participant.identity);
    const buttons = [];
    const canPublish = participant.permissions?.canPublish !== false;
    buttons.push(
      el('button', {
        type: 'button', className: 'btn btn-small', text: canPublish ? 'Mute' : 'Let speak',
        'aria-label': `${canPublish ? 'Take speaking rights from' : 'Let speak'} ${name}`,
        onclick: () => post(`/participants/${id}/speak`, { allow: !canPublish }),
      }),
    );
    if (myRole === 'host') {
      buttons.push(
        el('button', {
          type: 'button', className: 'btn btn-small', text: role === 'cohost' ? 'Remove co-host' : 'Make co-host',
          'aria-label': `${role === 'cohost' ? 'Remove co-host rights of' : 'Make co-host'} ${name}`,
          onclick: () => post(`/participants/${id}/cohost`, { allow: role !== 'cohost' }),
        }),
      );
    }
    if (role === 'guest') {
      buttons.push(
        el('button', {
          type: 'button', className: 'btn btn-small participant-kick', text: 'Remove', 'aria-label': `Remove ${name}`,
          onclick: () => post(`/participants/${id}/kick`, { ban: false }),
        }),
        el('button', {
          type: 'button', className: 'btn btn-small btn-danger participant-ban', text: 'Ban', 'aria-label': `Ban ${name}`,
          onclick: () => {
            if (window.confirm(`Ban ${name} from this room?`)) post(`/participants/${id}/kick`, { ban: true });
          },
        }),
      );
    }
    return buttons;
  }

  function render() {
    const people = [room.localParticipant, ...room.remoteParticipants.values()].filter(Boolean);
    list.replaceChildren(
      ...people
        .filter((p) => p.identity)
        .map((p) =>
          el('li', { className: 'participant', dataset: { identity: p.identity, role: roleOf(p) } }, [
            el('span', { className: 'participant-name', text: `${p.name || p.identity}${p.isLocal ? ' (you)' : ''}` }),
            roleOf(p) !== 'guest' ? el('span', { className: 'badge', text: roleOf(p) }) : null,
            el('span', { className: 'participant-actions' }, actionsFor(p)),
          ]),
        ),
    );
    document.getElementById('participants-count').textContent = String(people.length);
  }

  for (const event of [
    RoomEvent.Connected, RoomEvent.ParticipantConnected, RoomEvent.ParticipantDisconnected,
    RoomEvent.ParticipantAttributesChanged, RoomEvent.ParticipantPermissionsChanged, RoomEvent.ParticipantNameChanged,
  ]) {
    room.on(event, render);
  }
  room.on(RoomEvent.ParticipantAttributesChanged, (_changed, participant) => {
    if (participant.isLocal && !isHostPage) {
      myRole = roleOf(participant);
      if (myRole === 'cohost') say('The host made you a co-host.');
    }
  });
  room.on(RoomEvent.ParticipantPermissionsChanged, (previous, participant) => {
    if (!participant.isLocal || isHostPage) return;
    const now = participant.permissions?.canPublish;
    if (previous?.canPublish && now === false) say('The host muted you.');
    if (previous && !previous.canPublish && now) say('The host let you speak: turn your microphone on.');
  });

  // Notices the server sends (a data packet without a sender participant); participants' data is ignored.
  room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic) => {
    if (participant) return;
    let message;
    try {
      message = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    if (topic === 'lectern.notice' && message.text) say(message.text);
    if (topic === 'lectern.ended') {
      window.lectern.lectureUrl = message.lecture_url || '';
      say(message.text || 'The lecture has ended.');
    }
  });

  if (isHostPage) setupHostTools({ post, say, status });
  else setupHand({ post });
  render();
}

function setupHostTools({ post, say }) {
  for (const box of document.querySelectorAll('#room-settings input[data-setting]')) {
    box.addEventListener('change', async () => {
      const code = document.getElementById('room-app').dataset.roomCode;
      const response = await fetch(`/api/v1/rooms/${encodeURIComponent(code)}`, {
        method: 'PATCH',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken() },
        body: JSON.stringify({ [box.dataset.setting]: box.checked }),
      });
      if (!response.ok) {
        box.checked = !box.checked;
        say('Could not change the setting.');
      }
    });
  }
  const hands = document.getElementById('hands');
  const handsList = document.getElementById('hands-list');
  const unlock = document.getElementById('unlock');

  document.getElementById('panic').addEventListener('click', async () => {
    const lock = document.getElementById('panic-lock').checked;
    const result = await post('/mute-all', { lock });
    if (result) {
      say(`Everyone else is muted (${result.count})${lock ? '; the room is locked' : ''}.`);
      unlock.hidden = !lock;
    }
  });
  unlock.addEventListener('click', async () => {
    if (await post('/lock', { locked: false })) {
      unlock.hidden = true;
      say('The room is unlocked.');
    }
  });
  document.getElementById('end-for-all').addEventListener('click', async () => {
    if (!window.confirm('End the lecture for everyone?')) return;
    const result = await post('/end');
    if (result?.lecture_id) window.lectern.lectureUrl = `/lectures/${result.lecture_id}/`;
  });

  window.addEventListener('lectern:host-message', (event) => {
    const message = event.detail;
    if (message.type !== 'hands.changed') return;
    hands.hidden = message.hands.length === 0;
    document.getElementById('hands-count').textContent = String(message.hands.length);
    handsList.replaceChildren(
      ...message.hands.map((hand) => {
        const id = encodeURIComponent(hand.identity);
        const time = new Date(hand.raised_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        return el('li', { className: 'hand', dataset: { identity: hand.identity } }, [
          el('span', { text: `${hand.display_name} · ${time}` }),
          el('button', {
            type: 'button', className: 'btn btn-small', text: 'Let speak', 'aria-label': `Let ${hand.display_name} speak`,
            onclick: () => post(`/participants/${id}/speak`, { allow: true }),
          }),
          el('button', {
            type: 'button', className: 'btn btn-small', text: 'Lower', 'aria-label': `Lower ${hand.display_name}'s hand`,
            onclick: () => post(`/participants/${id}/lower-hand`),
          }),
        ]);
      }),
    );
  });
}

function setupHand({ post }) {
  const button = document.getElementById('raise-hand');
  if (!button) return;
  button.addEventListener('click', async () => {
    const raise = button.getAttribute('aria-pressed') !== 'true';
    const result = await post('/hand', { raised: raise });
    if (result) {
      button.setAttribute('aria-pressed', String(result.raised));
      button.textContent = result.raised ? 'Lower hand' : 'Raise hand';
    }
  });
}
