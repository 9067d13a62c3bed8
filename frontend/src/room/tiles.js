// Video tiles in #tiles: one camera tile per participant (local first), plus
// a separate tile (data-source="screen") while someone shares their screen.
// Remote audio plays through hidden <audio> elements in #audio-sink.
import { RoomEvent, Track } from 'livekit-client';
import { el, ensureById, icon, MIC_OFF_PATH } from './dom.js';

const CAMERA = 'camera';
const SCREEN = 'screen';

function displayName(participant, fallback) {
  return participant.name || (participant.isLocal && fallback) || participant.identity || 'Guest';
}

export function setupTiles({ room, root, localName = '' }) {
  const stage = root.querySelector('.stage') || root;
  const grid = ensureById('tiles', stage, 'div', { className: 'tiles' });
  const audioSink = ensureById('audio-sink', root, 'div', { hidden: true });
  const tiles = new Map(); // `${source}:${identity}` -> tile record

  const keyOf = (identity, source) => `${source}:${identity}`;

  function createTile(participant, source) {
    const video = el('video', { autoplay: true, playsinline: true, muted: true });
    video.muted = true; // property too: the attribute alone is not enough everywhere
    const name = el('span', { className: 'tile-name' });
    const mic = el('span', { className: 'tile-mic-muted', title: 'Microphone muted', hidden: true }, [
      icon(MIC_OFF_PATH, 'Microphone muted'),
    ]);
    const avatar = el('div', { className: 'tile-avatar', 'aria-hidden': 'true' });
    const label = el('div', { className: 'tile-label' }, [
      source === CAMERA ? mic : null,
      name,
      participant.isLocal ? el('span', { className: 'tile-you', text: '(you)' }) : null,
      source === SCREEN ? el('span', { className: 'tile-source', text: '— screen' }) : null,
    ]);
    const node = el(
      'div',
      {
        className: 'tile',
        dataset: { identity: participant.identity, source, video: 'off' },
      },
      [avatar, video, label],
    );
    if (participant.isLocal) node.dataset.local = 'true';
    return { node, video, name, mic, avatar, track: null };
  }

  function place(record, participant, source) {
    if (participant.isLocal && source === CAMERA) {
      grid.prepend(record.node);
    } else if (source === SCREEN) {
      const owner = tiles.get(keyOf(participant.identity, CAMERA));
      if (owner) owner.node.after(record.node);
      else grid.append(record.node);
    } else {
      grid.append(record.node);
    }
  }

  function ensureTile(participant, source) {
    const key = keyOf(participant.identity, source);
    let record = tiles.get(key);
    if (!record) {
      record = createTile(participant, source);
      tiles.set(key, record);
      place(record, participant, source);
      updateCount();
    }
    return record;
  }

  function removeTile(key) {
    const record = tiles.get(key);
    if (!record) return;
    record.track?.detach(record.video);
    record.node.remove();
    tiles.delete(key);
    updateCount();
  }

  function updateCount() {
    grid.dataset.count = String(tiles.size);
  }

  /** Point a tile's <video> at the publication's current track (or nothing). */
  function showVideo(record, publication) {
    const track = publication?.track || null;
    if (record.track !== track) {
      record.track?.detach(record.video);
      if (track) track.attach(record.video);
      record.track = track;
    }
    record.node.dataset.video = track && !publication.isMuted ? 'on' : 'off';
  }

  /** Bring every tile of one participant in line with its current state. */
  function sync(participant) {
    if (!participant?.identity) return;
    const name = displayName(participant, localName);

    const camera = ensureTile(participant, CAMERA);
    showVideo(camera, participant.getTrackPublication(Track.Source.Camera));
    camera.name.textContent = name;
    camera.avatar.textContent = name.trim().charAt(0).toUpperCase();
    const micPub = participant.getTrackPublication(Track.Source.Microphone);
    const micMuted = !micPub || micPub.isMuted;
    camera.mic.hidden = !micMuted;
    camera.node.dataset.micMuted = String(micMuted);

    const screenPub = participant.getTrackPublication(Track.Source.ScreenShare);
    const screenKey = keyOf(participant.identity, SCREEN);
    if (screenPub?.track) {
      const screen = ensureTile(participant, SCREEN);
      showVideo(screen, screenPub);
      screen.name.textContent = name;
    } else {
      removeTile(screenKey);
    }
  }

  function removeParticipant(participant) {
    removeTile(keyOf(participant.identity, CAMERA));
    removeTile(keyOf(participant.identity, SCREEN));
    for (const audio of audioSink.querySelectorAll('audio')) {
      if (audio.dataset.identity === participant.identity) audio.remove();
    }
  }

  function clear() {
    for (const key of [...tiles.keys()]) removeTile(key);
    audioSink.replaceChildren();
  }

  function syncAll() {
    sync(room.localParticipant);
    for (const participant of room.remoteParticipants.values()) sync(participant);
  }

  // Remote tracks.
  room.on(RoomEvent.TrackSubscribed, (track, _pub, participant) => {
    if (track.kind === Track.Kind.Audio) {
      const audio = track.attach();
      audio.dataset.identity = participant.identity;
      audio.dataset.source = track.source;
      audioSink.append(audio);
    }
    sync(participant);
  });
  room.on(RoomEvent.TrackUnsubscribed, (track, _pub, participant) => {
    if (track.kind === Track.Kind.Audio) {
      for (const audio of track.detach()) audio.remove();
    } else {
      track.detach();
    }
    sync(participant);
  });

  // Local tracks.
  room.on(RoomEvent.LocalTrackPublished, (_pub, participant) => sync(participant));
  room.on(RoomEvent.LocalTrackUnpublished, (pub, participant) => {
    if (pub.track && pub.kind === Track.Kind.Video) pub.track.detach();
    sync(participant);
  });

  // Anything else that changes what a tile shows.
  for (const event of [
    RoomEvent.TrackMuted,
    RoomEvent.TrackUnmuted,
    RoomEvent.TrackPublished,
    RoomEvent.TrackUnpublished,
  ]) {
    room.on(event, (_pub, participant) => sync(participant));
  }
  room.on(RoomEvent.ParticipantConnected, sync);
  room.on(RoomEvent.ParticipantNameChanged, (_name, participant) => sync(participant));
  room.on(RoomEvent.ParticipantDisconnected, removeParticipant);
  room.on(RoomEvent.Connected, syncAll);
  room.on(RoomEvent.Disconnected, clear);

  room.on(RoomEvent.ActiveSpeakersChanged, (speakers) => {
    const speaking = new Set(speakers.map((p) => p.identity));
    for (const [key, record] of tiles) {
      if (key.startsWith(`${CAMERA}:`)) {
        record.node.dataset.speaking = String(speaking.has(record.node.dataset.identity));
      }
    }
  });

  return { sync, syncAll, clear, grid };
}
