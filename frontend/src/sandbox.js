// The admins' token test page (static/build/sandbox.js, page /admin/sandbox/test/).
//
// The URL fragment carries url=<livekit ws url>&token=<jwt>: a fragment never reaches a server or
// its logs. The page connects with that token, says whether it worked and lists who it sees.
import { Room, RoomEvent } from 'livekit-client';

const status = document.getElementById('sandbox-status');
const list = document.getElementById('sandbox-participants');
const params = new URLSearchParams(window.location.hash.slice(1));
const room = new Room();

function say(text) {
  status.textContent = text;
}

function showParticipants() {
  list.replaceChildren();
  const everyone = [room.localParticipant, ...room.remoteParticipants.values()];
  for (const participant of everyone) {
    const item = document.createElement('li');
    item.textContent = `${participant.identity} (${participant.permissions?.canPublish ? 'may publish' : 'may not publish'})`;
    list.appendChild(item);
  }
}

room.on(RoomEvent.ParticipantConnected, showParticipants);
room.on(RoomEvent.ParticipantDisconnected, showParticipants);
room.on(RoomEvent.Disconnected, () => say('Disconnected.'));

if (!params.get('url') || !params.get('token')) {
  say('This page needs a token: open it from the token sandbox.');
} else {
  say('Connecting…');
  room
    .connect(params.get('url'), params.get('token'))
    .then(() => {
      say(`Connected to ${room.name} as ${room.localParticipant.identity}.`);
      showParticipants();
    })
    .catch((error) => say(`Could not connect: ${error.message}`));
}
