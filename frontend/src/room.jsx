// Entry point of the room page bundle (static/build/room.js + room.css): mounts the React island
// on #room-app, whose data-* attributes the Django template fills (see templates/rooms/room.html).
import '@livekit/components-styles';
import './room/room.css';
import { createRoot } from 'react-dom/client';
import { App } from './room/App.jsx';

function readConfig(root) {
  const d = root.dataset;
  return {
    role: d.role === 'host' ? 'host' : 'guest',
    roomCode: d.roomCode,
    title: d.title || '',
    tokenUrl: d.tokenUrl || '',
    displayName: d.displayName || '',
    inviteUrl: d.inviteUrl || '',
    profileUrl: d.profileUrl || '',
    homeUrl: d.homeUrl || '/',
    aiAssistant: d.aiAssistant === 'true',
    webinar: d.webinar === 'true',
    requiresPin: d.requiresPin === 'true',
    pin: d.pin || '', // hosts only: the room's PIN when it can be read again
    live: d.live === 'true',
    recordingNotice: d.recordingNotice || '',
    studentUploads: d.studentUploads === 'true',
    settings: {
      student_chat: d.studentChat === 'true',
      student_uploads: d.studentUploads === 'true',
      attendees_see_lecture: d.attendeesSeeLecture === 'true',
    },
  };
}

function start() {
  const root = document.getElementById('room-app');
  if (!root) return;
  document.body.dataset.roomState = 'disconnected';
  createRoot(root).render(<App config={readConfig(root)} root={root} />);
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start, { once: true });
} else {
  start();
}
