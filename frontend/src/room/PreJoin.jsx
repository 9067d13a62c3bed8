// Pre-join for everyone, built from the toolkit's preview hooks: camera preview, mic level, device
// choice, the display name (hosts: from their profile), "join with mic off" on by default for
// students. Students also give the PIN and can opt out of transcription; then they wait here.
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { Track } from 'livekit-client';
import { useMediaDevices, usePreviewTracks, useTrackVolume } from '@livekit/components-react';

const STORAGE = (isHost) => `lectern.choices.${isHost ? 'host' : 'guest'}`;
const NAME_KEY = 'lectern.displayName';

export function loadChoices(isHost) {
  const defaults = { audioEnabled: isHost, videoEnabled: true, audioDeviceId: '', videoDeviceId: '' };
  try {
    return { ...defaults, ...JSON.parse(localStorage.getItem(STORAGE(isHost)) || '{}') };
  } catch {
    return defaults;
  }
}

function saveChoices(isHost, choices) {
  const { audioEnabled, videoEnabled, audioDeviceId, videoDeviceId } = choices;
  try {
    localStorage.setItem(STORAGE(isHost), JSON.stringify({ audioEnabled, videoEnabled, audioDeviceId, videoDeviceId }));
  } catch {
    // private browsing: the choice lasts for this page only
  }
}

function MicLevel({ track }) {
  const volume = useTrackVolume(track);
  return (
    <div className="mic-level" aria-hidden="true">
      <span style={{ width: `${Math.min(100, Math.round(volume * 300))}%` }} />
    </div>
  );
}

function DeviceSelect({ kind, label, value, onChange, disabled }) {
  const devices = useMediaDevices({ kind });
  const id = useId();
  return (
    <div className="field device-field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled || devices.length === 0}>
        {devices.length === 0 && <option value="">Default</option>}
        {devices.map((device) => (
          <option key={device.deviceId} value={device.deviceId}>
            {device.label || (kind === 'audioinput' ? 'Microphone' : 'Camera')}
          </option>
        ))}
      </select>
    </div>
  );
}

export function PreJoin({ config, stage, error, notStarted, hostMessage, lobbyOpen, onSubmit }) {
  const isHost = config.role === 'host';
  const webinarGuest = config.webinar && !isHost;
  const initial = useMemo(() => loadChoices(isHost), [isHost]);
  const [audioEnabled, setAudioEnabled] = useState(webinarGuest ? false : initial.audioEnabled);
  const [videoEnabled, setVideoEnabled] = useState(webinarGuest ? false : initial.videoEnabled);
  const [audioDeviceId, setAudioDeviceId] = useState(initial.audioDeviceId);
  const [videoDeviceId, setVideoDeviceId] = useState(initial.videoDeviceId);
  const [name, setName] = useState(() => (isHost ? config.displayName : localStorage.getItem(NAME_KEY) || ''));
  const [pin, setPin] = useState('');
  const [noTranscribe, setNoTranscribe] = useState(false);
  const [localError, setLocalError] = useState('');
  const waiting = stage === 'waiting' || stage === 'knocking' || stage === 'waiting-start';
  const previewing = !waiting && stage !== 'connecting' && stage !== 'checking';

  const tracks = usePreviewTracks(
    {
      audio: previewing && audioEnabled ? (audioDeviceId ? { deviceId: audioDeviceId } : true) : false,
      video: previewing && videoEnabled ? (videoDeviceId ? { deviceId: videoDeviceId } : true) : false,
    },
    () => {},
  );
  const videoTrack = tracks?.find((t) => t.kind === Track.Kind.Video);
  const audioTrack = tracks?.find((t) => t.kind === Track.Kind.Audio);
  const videoEl = useRef(null);
  useEffect(() => {
    if (videoEl.current && videoTrack) videoTrack.attach(videoEl.current);
    return () => {
      videoTrack?.detach();
    };
  }, [videoTrack]);

  function submit(event) {
    event.preventDefault();
    const username = name.trim();
    if (!username) {
      setLocalError('Please type your name.');
      return;
    }
    setLocalError('');
    const choices = { audioEnabled, videoEnabled, audioDeviceId, videoDeviceId };
    saveChoices(isHost, choices);
    if (!isHost) localStorage.setItem(NAME_KEY, username);
    onSubmit({ ...choices, username, pin: pin.trim(), transcribeMe: !noTranscribe });
  }

  if (stage === 'checking' || stage === 'connecting') {
    return (
      <section className="prejoin card" aria-busy="true">
        <h1 className="prejoin-title">{config.title}</h1>
        <p className="muted" role="status">{stage === 'connecting' ? 'Joining…' : 'One moment…'}</p>
      </section>
    );
  }

  if (waiting) {
    return (
      <section
        id="join-panel"
        className="prejoin card"
        data-stage="waiting"
        data-socket={lobbyOpen ? 'open' : 'closed'}
        aria-live="polite"
      >
        <h1 className="prejoin-title">{config.title}</h1>
        {stage === 'waiting-start' ? (
          <p id="join-not-started">This lecture hasn't started yet. You'll be let into the waiting room as soon as the host opens it.</p>
        ) : (
          <div id="join-waiting">
            <div className="spinner" aria-hidden="true" />
            <p className="join-status">The host will let you in soon.</p>
            {hostMessage && (
              <p id="join-host-message" className="host-message">
                {hostMessage}
              </p>
            )}
          </div>
        )}
      </section>
    );
  }

  return (
    <section id="join-panel" className="prejoin card" data-stage="form" aria-labelledby="prejoin-title">
      <h1 id="prejoin-title" className="prejoin-title">{config.title}</h1>
      {notStarted && (
        <p id="join-not-started" className="muted">
          This lecture hasn't started yet. You'll be let into the waiting room as soon as the host opens it.
        </p>
      )}
      <div className="prejoin-grid">
        <div className="prejoin-preview">
          <div className="preview-video" data-video={videoTrack && videoEnabled ? 'on' : 'off'}>
            {videoTrack && videoEnabled ? (
              <video ref={videoEl} muted playsInline aria-label="Your camera preview" />
            ) : (
              <p className="preview-off">{webinarGuest ? 'You watch and listen' : 'Camera is off'}</p>
            )}
          </div>
          {!webinarGuest && audioTrack && audioEnabled && <MicLevel track={audioTrack} />}
        </div>
        <form id="join-form" className="prejoin-form" onSubmit={submit} noValidate>
          {isHost ? (
            <p className="prejoin-name">
              Joining as <strong>{config.displayName}</strong>
              {config.profileUrl && (
                <>
                  {' · '}
                  <a href={config.profileUrl}>change your name</a>
                </>
              )}
            </p>
          ) : (
            <div className="field">
              <label htmlFor="join-name">Your name</label>
              <input
                id="join-name"
                name="display_name"
                type="text"
                maxLength={80}
                autoComplete="name"
                required
                value={name}
                onChange={(e) => setName(e.target.value)}
              />
            </div>
          )}
          {!isHost && config.requiresPin && (
            <div className="field">
              <label htmlFor="join-pin">PIN</label>
              <input
                id="join-pin"
                name="pin"
                type="password"
                inputMode="numeric"
                maxLength={12}
                autoComplete="off"
                required
                value={pin}
                onChange={(e) => setPin(e.target.value)}
              />
            </div>
          )}
          {!isHost && config.recordingNotice && (
            <p id="join-recorded" className="notice notice-warning" role="note">
              {config.recordingNotice}
            </p>
          )}
          {webinarGuest ? (
            <p className="notice webinar-note">
              This lecture is a webinar: you watch and listen, and your microphone and camera stay off. Raise your
              hand (press H) to ask to speak; the host can let you.
            </p>
          ) : (
            <fieldset className="devices">
              <legend>Microphone and camera</legend>
              <label className="checkbox">
                <input id="join-mic-off" type="checkbox" checked={!audioEnabled} onChange={(e) => setAudioEnabled(!e.target.checked)} />
                Join with my microphone off
              </label>
              <label className="checkbox">
                <input id="join-camera-off" type="checkbox" checked={!videoEnabled} onChange={(e) => setVideoEnabled(!e.target.checked)} />
                Join with my camera off
              </label>
              <DeviceSelect kind="audioinput" label="Microphone" value={audioDeviceId} onChange={setAudioDeviceId} />
              <DeviceSelect kind="videoinput" label="Camera" value={videoDeviceId} onChange={setVideoDeviceId} />
            </fieldset>
          )}
          {!isHost && (
            <label className="checkbox">
              <input id="join-no-transcribe" type="checkbox" checked={noTranscribe} onChange={(e) => setNoTranscribe(e.target.checked)} />
              Don't transcribe me
            </label>
          )}
          {(localError || error) && (
            <p id="join-error" className="form-error" role="alert">
              {localError || error}
            </p>
          )}
          <button id="join-submit" type="submit" className="btn btn-primary btn-large">
            {isHost ? 'Open the lecture' : 'Join'}
          </button>
        </form>
      </div>
    </section>
  );
}
