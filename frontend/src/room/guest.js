// The student's side of the door: join form, waiting room over a websocket, rejoin after a reload.
// A waiting student holds no token: the server pushes one on this socket when a host admits them.
import { csrfToken } from './api.js';
import { fingerprint } from './fingerprint.js';

const NAME_KEY = 'lectern.displayName';

async function postJson(url, body) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken() },
    body: JSON.stringify(body || {}),
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { status: response.status, data, retryAfter: response.headers.get('Retry-After') };
}

export function setupGuest({ root, status }) {
  const panel = document.getElementById('join-panel');
  if (!panel || root.dataset.role !== 'guest') return;
  const code = root.dataset.roomCode;
  const form = document.getElementById('join-form');
  const nameInput = document.getElementById('join-name');
  const pinInput = document.getElementById('join-pin');
  const noTranscribe = document.getElementById('join-no-transcribe');
  const errorBox = document.getElementById('join-error');
  const notStarted = document.getElementById('join-not-started');
  const api = `/api/v1/rooms/${encodeURIComponent(code)}`;
  let socket = null;
  let retryTimer = null;
  let admitted = false;

  nameInput.value = localStorage.getItem(NAME_KEY) || '';

  function stage(name) {
    panel.dataset.stage = name;
    root.dataset.stage = name;
    form.hidden = name !== 'form';
    document.getElementById('join-waiting').hidden = name !== 'waiting';
    document.getElementById('join-rejected').hidden = name !== 'rejected';
    panel.hidden = name === 'admitted';
  }

  function showError(text) {
    errorBox.textContent = text;
    errorBox.hidden = !text;
  }

  function hostMessage(id, text) {
    const box = document.getElementById(id);
    box.textContent = text || '';
    box.hidden = !text;
  }

  function enterRoom(credentials) {
    admitted = true;
    stage('admitted');
    root.dataset.tokenUrl = `${api}/rejoin`; // Retry / Rejoin ask for a fresh token there
    window.dispatchEvent(new CustomEvent('lectern:credentials', { detail: credentials }));
  }

  function openSocket() {
    if (socket) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}/ws/lobby/${encodeURIComponent(code)}/`);
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message.type !== 'lobby.status') return;
      if (message.status === 'waiting') {
        stage('waiting');
        if (message.message) hostMessage('join-host-message', message.message);
      } else if (message.status === 'admitted' && message.token) {
        closeSocket();
        enterRoom(message);
      } else if (message.status === 'rejected') {
        closeSocket();
        stage('rejected');
        hostMessage('join-reject-message', message.message);
      }
    };
    socket.onclose = () => {
      socket = null;
      // survive network blips: the server re-sends the status on every connect
      if (!admitted && panel.dataset.stage === 'waiting') setTimeout(openSocket, 1500);
    };
  }

  function closeSocket() {
    if (!socket) return;
    const s = socket;
    socket = null;
    s.onclose = null;
    s.close();
  }

  async function waitUntilLive(body) {
    notStarted.hidden = false;
    stage('form');
    form.querySelector('button').disabled = true;
    const poll = async () => {
      const response = await fetch(`${api}/public`, { credentials: 'same-origin' });
      const data = response.ok ? await response.json() : null;
      if (data && data.status === 'live') {
        notStarted.hidden = true;
        form.querySelector('button').disabled = false;
        knock(body);
      } else {
        retryTimer = setTimeout(poll, 3000);
      }
    };
    retryTimer = setTimeout(poll, 3000);
  }

  // A personal link from the roster (?s=…): the name is the roster's, the session is tied to it.
  const personal = new URLSearchParams(window.location.search).get('s');
  if (personal) {
    nameInput.required = false;
    nameInput.disabled = true;
    nameInput.value = '';
    nameInput.placeholder = 'From your invitation';
  }

  async function knock(body) {
    showError('');
    const url = body.token ? `${api}/roster/join` : `${api}/join`;
    const { status: code_, data, retryAfter } = await postJson(url, body);
    if (data?.display_name) nameInput.value = data.display_name;
    if (code_ === 200 && data.token) {
      enterRoom(data);
    } else if (code_ === 202) {
      stage('waiting');
      openSocket();
    } else if (code_ === 409) {
      waitUntilLive(body);
    } else if (code_ === 429) {
      showError(`${data?.detail || 'Too many attempts.'} (try again in ${retryAfter || 60} s)`);
    } else {
      showError(data?.detail || `Could not join (error ${code_}).`);
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearTimeout(retryTimer);
    const name = nameInput.value.trim();
    if (!name && !personal) {
      showError('Please type your name.');
      return;
    }
    const body = { fingerprint: await fingerprint(), transcribe_me: !noTranscribe.checked };
    if (personal) {
      body.token = personal;
    } else {
      localStorage.setItem(NAME_KEY, name);
      body.display_name = name;
    }
    if (pinInput) body.pin = pinInput.value.trim();
    knock(body);
  });

  // After a reload an admitted student goes straight back in.
  postJson(`${api}/rejoin`).then(({ status: code_, data }) => {
    if (code_ === 200 && data.token) enterRoom(data);
    else stage('form');
  });
  status.setConnectionState('disconnected');
}
