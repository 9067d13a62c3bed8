// The lecture layout LiveKit Egress records (static/build/layout.js, page /recordings/layout/).
//
// Egress opens this page in Chromium with ?url=<livekit ws url>&token=<recorder token>&layout=...
// (custom_base_url). It draws the lecture: the screen share large when there is one (cameras in a
// column beside it), otherwise the active speaker large; names on every tile; the live captions
// (lk.transcription) burned in unless ?captions=0. Every remote audio track is played, so egress's
// PulseAudio sink hears the room. EgressHelper.startRecording() tells egress the page is ready.
// the SDK's TypeScript source: its CommonJS build would bundle a second livekit-client
import EgressHelper from '@livekit/egress-sdk/src/index.ts';
import { Room, RoomEvent, Track } from 'livekit-client';

const stage = document.getElementById('stage');
const captionBox = document.getElementById('captions');
const room = new Room({ adaptiveStream: false, dynacast: false });
const audioElements = new Map();
let speakerIdentity = null;
let started = false;

function initials(name) {
  return (name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((w) => w[0].toUpperCase()).join('');
}

function isShown(p) {
  // the agent (captions) and other recorders have nothing to show
  return p.kind !== 'agent' && !p.permissions?.recorder;
}

function tile(participant, publication, { big = false } = {}) {
  const el = document.createElement('div');
  el.className = 'tile' + (participant.isSpeaking ? ' speaking' : '');
  el.dataset.identity = participant.identity;
  if (publication?.track) {
    const video = publication.track.attach();
    video.muted = true;
    el.appendChild(video);
  } else {
    const face = document.createElement('div');
    face.className = 'initials';
    face.textContent = initials(participant.name || participant.identity);
    el.appendChild(face);
  }
  const name = document.createElement('div');
  name.className = 'name';
  name.textContent = (participant.name || participant.identity) + (big && publication?.source === Track.Source.ScreenShare ? ' (screen)' : '');
  el.appendChild(name);
  return el;
}

function render() {
  const people = [...room.remoteParticipants.values()].filter(isShown);
  const screens = [];
  const cameras = new Map();
  for (const p of people) {
    for (const pub of p.trackPublications.values()) {
      if (pub.kind !== Track.Kind.Video || !pub.track) continue;
      if (pub.source === Track.Source.ScreenShare) screens.push([p, pub]);
      else cameras.set(p.identity, pub);
    }
  }
  stage.replaceChildren();
  if (screens.length) {
    stage.className = 'screen';
    const [p, pub] = screens[0];
    stage.appendChild(tile(p, pub, { big: true }));
    const side = document.createElement('div');
    side.className = 'side';
    for (const other of people.slice(0, 4)) side.appendChild(tile(other, cameras.get(other.identity)));
    stage.appendChild(side);
    return;
  }
  stage.className = 'solo';
  const speaker =
    people.find((p) => p.identity === speakerIdentity) ||
    people.find((p) => cameras.has(p.identity)) ||
    people[0];
  if (speaker) stage.appendChild(tile(speaker, cameras.get(speaker.identity), { big: true }));
}

function attachAudio(track, publication) {
  if (track.kind !== Track.Kind.Audio) return;
  const el = track.attach();
  el.autoplay = true;
  document.body.appendChild(el);
  audioElements.set(publication.trackSid, el);
}

function detachAudio(track, publication) {
  const el = audioElements.get(publication.trackSid);
  if (el) {
    track.detach(el);
    el.remove();
    audioElements.delete(publication.trackSid);
  }
}

function showCaption(text) {
  if (captionBox.hidden) return;
  const span = document.createElement('span');
  span.textContent = text;
  captionBox.replaceChildren(span);
  clearTimeout(showCaption.timer);
  showCaption.timer = setTimeout(() => captionBox.replaceChildren(), 6000);
}

function startOnce() {
  if (started) return;
  started = true;
  EgressHelper.startRecording();
}

room
  .on(RoomEvent.TrackSubscribed, (track, publication) => {
    attachAudio(track, publication);
    render();
  })
  .on(RoomEvent.TrackUnsubscribed, (track, publication) => {
    detachAudio(track, publication);
    render();
  })
  .on(RoomEvent.ParticipantConnected, render)
  .on(RoomEvent.ParticipantDisconnected, render)
  .on(RoomEvent.ActiveSpeakersChanged, (speakers) => {
    const shown = speakers.find((p) => p.identity !== room.localParticipant.identity && isShown(p));
    if (shown && shown.identity !== speakerIdentity) {
      speakerIdentity = shown.identity;
      render();
    }
  });

room.registerTextStreamHandler('lk.transcription', async (reader) => {
  const text = await reader.readAll();
  if (text) showCaption(text);
});

async function main() {
  EgressHelper.setRoom(room);
  await room.connect(EgressHelper.getLiveKitURL(), EgressHelper.getAccessToken(), { autoSubscribe: true });
  render();
  // give the first video frames a moment, then tell egress to start; never later than 3 s
  const hasMedia = () => [...room.remoteParticipants.values()].some((p) => p.trackPublications.size > 0);
  const deadline = Date.now() + 3000;
  const wait = () => (hasMedia() || Date.now() > deadline ? setTimeout(startOnce, 300) : setTimeout(wait, 100));
  wait();
}

main().catch((err) => {
  console.error('lectern layout:', err);
  startOnce();
});
