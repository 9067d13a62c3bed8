// Controls bar: #toggle-mic, #toggle-camera, #toggle-screen, #leave (and
// #start-audio when the browser blocks audio autoplay). Toggle buttons carry
// aria-pressed="true" while the device is on.
import { ConnectionState, RoomEvent } from 'livekit-client';
import { el, ensureById } from './dom.js';
import { describeMediaError, isUserCancel } from './media.js';

const BUTTONS = [
  { id: 'toggle-mic', label: 'Mic', toggle: true },
  { id: 'toggle-camera', label: 'Camera', toggle: true },
  { id: 'toggle-screen', label: 'Share screen', toggle: true },
  { id: 'start-audio', label: 'Enable audio', hidden: true },
  { id: 'leave', label: 'Leave', className: 'btn btn-danger' },
];

export function setupControls({ room, root, onLeave, setMediaProblem }) {
  const bar = ensureById('controls', root, 'div', {
    className: 'controls',
    role: 'toolbar',
    'aria-label': 'Lecture controls',
  });
  const buttons = {};
  for (const spec of BUTTONS) {
    buttons[spec.id] =
      document.getElementById(spec.id) ||
      bar.appendChild(
        el('button', {
          type: 'button',
          id: spec.id,
          className: spec.className || 'btn',
          'aria-pressed': spec.toggle ? 'false' : null,
          hidden: spec.hidden,
          text: spec.label,
        }),
      );
  }

  const canShareScreen = !!navigator.mediaDevices?.getDisplayMedia;
  if (!canShareScreen) buttons['toggle-screen'].hidden = true;

  const lp = () => room.localParticipant;
  const devices = {
    microphone: {
      button: buttons['toggle-mic'],
      isOn: () => lp().isMicrophoneEnabled,
      set: (on) => lp().setMicrophoneEnabled(on),
    },
    camera: {
      button: buttons['toggle-camera'],
      isOn: () => lp().isCameraEnabled,
      set: (on) => lp().setCameraEnabled(on),
    },
    screen: {
      button: buttons['toggle-screen'],
      isOn: () => lp().isScreenShareEnabled,
      set: (on) => lp().setScreenShareEnabled(on, { audio: true }),
    },
  };
  const busy = new Set();

  function sync() {
    const connected = room.state === ConnectionState.Connected;
    // Webinar students and a room after the panic button have no publish rights: nothing to toggle.
    const mayPublish = lp().permissions?.canPublish !== false;
    for (const [kind, device] of Object.entries(devices)) {
      device.button.setAttribute('aria-pressed', String(connected && device.isOn()));
      device.button.disabled = !connected || !mayPublish;
      // Not `disabled` while busy: that would drop keyboard focus mid-toggle.
      if (busy.has(kind)) device.button.setAttribute('aria-busy', 'true');
      else device.button.removeAttribute('aria-busy');
    }
    buttons.leave.disabled = room.state === ConnectionState.Disconnected;
    buttons['start-audio'].hidden = !connected || room.canPlaybackAudio;
  }

  async function toggle(kind) {
    const device = devices[kind];
    if (busy.has(kind)) return;
    const turnOn = !device.isOn();
    busy.add(kind);
    sync();
    try {
      await device.set(turnOn);
      setMediaProblem(kind, null);
    } catch (err) {
      if (!(kind === 'screen' && isUserCancel(err))) {
        setMediaProblem(kind, describeMediaError(kind, err));
      }
    } finally {
      busy.delete(kind);
      sync();
    }
  }

  for (const kind of Object.keys(devices)) {
    devices[kind].button.addEventListener('click', () => toggle(kind));
  }
  buttons.leave.addEventListener('click', () => onLeave());
  buttons['start-audio'].addEventListener('click', () => room.startAudio().then(sync, sync));

  for (const event of [
    RoomEvent.ConnectionStateChanged,
    RoomEvent.LocalTrackPublished,
    RoomEvent.LocalTrackUnpublished,
    RoomEvent.TrackMuted,
    RoomEvent.TrackUnmuted,
    RoomEvent.AudioPlaybackStatusChanged,
    RoomEvent.ParticipantPermissionsChanged,
  ]) {
    room.on(event, sync);
  }
  room.on(RoomEvent.MediaDevicesError, (err, kind) => {
    const k = kind === 'audioinput' ? 'microphone' : kind === 'videoinput' ? 'camera' : null;
    if (k) setMediaProblem(k, describeMediaError(k, err));
  });

  sync();
  return { sync, buttons };
}
