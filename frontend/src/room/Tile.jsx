// One tile of the stage: the toolkit's ParticipantTile (video, name, mic state, connection quality,
// pin) with Lectern's role and hand badges. Video is subscribed only while the tile is visible.
import { Track } from 'livekit-client';
import {
  ConnectionQualityIndicator,
  FocusToggleIcon,
  ParticipantContext,
  ParticipantName,
  TrackMutedIndicator,
  TrackRefContext,
  VideoTrack,
  isTrackReference,
  UnfocusToggleIcon,
  useEnsureTrackRef,
  useMaybeLayoutContext,
  useParticipantTile,
} from '@livekit/components-react';

export function roleOf(participant) {
  return participant?.attributes?.role || 'guest';
}

const ROLE_LABEL = { host: 'Host', cohost: 'Co-host' };

/** Pin (or unpin) this tile to the stage; named for the person, its state in aria-pressed. */
function PinButton({ trackRef, name }) {
  const layout = useMaybeLayoutContext();
  if (!layout?.pin.dispatch) return null;
  const pinned = (layout.pin.state || []).some(
    (ref) => ref.participant.identity === trackRef.participant.identity && ref.source === trackRef.source,
  );
  return (
    <button
      type="button"
      className="lk-button lk-focus-toggle-button"
      aria-label={`Pin ${name} to the stage`}
      aria-pressed={pinned}
      onClick={(event) => {
        event.stopPropagation();
        layout.pin.dispatch(pinned ? { msg: 'clear_pin' } : { msg: 'set_pin', trackReference: trackRef });
      }}
    >
      {pinned ? <UnfocusToggleIcon /> : <FocusToggleIcon />}
    </button>
  );
}

export function Tile({ trackRef, hands, className = '', ...rest }) {
  const ref = useEnsureTrackRef(trackRef);
  const participant = ref.participant;
  const screen = ref.source === Track.Source.ScreenShare;
  const role = roleOf(participant);
  const hasVideo = isTrackReference(ref) && !ref.publication?.isMuted;
  const handUp = hands?.has(participant.identity);
  // The toolkit's tile behaviour (speaking, muted, source attributes and classes) on our own markup,
  // so that every control in it has a name.
  const { elementProps } = useParticipantTile({
    trackRef: ref,
    htmlProps: {
      className: `tile ${className}`,
      'data-identity': participant.identity,
      'data-source': screen ? 'screen' : 'camera',
      'data-role': role,
      'data-local': participant.isLocal ? 'true' : undefined,
      'data-video': hasVideo ? 'on' : 'off',
      ...rest,
    },
  });
  return (
    <div style={{ position: 'relative' }} {...elementProps}>
      <TrackRefContext.Provider value={ref}>
      <ParticipantContext.Provider value={participant}>
      {isTrackReference(ref) && <VideoTrack trackRef={ref} manageSubscription={!participant.isLocal} />}
      <div className="lk-participant-placeholder tile-avatar" aria-hidden="true">
        {(participant.name || participant.identity || '?').trim().charAt(0).toUpperCase()}
      </div>
      <div className="lk-participant-metadata">
        <div className="lk-participant-metadata-item tile-label">
          {!screen && (
            <TrackMutedIndicator trackRef={{ participant, source: Track.Source.Microphone }} show="muted" />
          )}
          <ParticipantName className="tile-name" />
          {participant.isLocal && <span className="tile-you"> (you)</span>}
          {screen && <span className="tile-source"> — screen</span>}
          {ROLE_LABEL[role] && !screen && <span className="badge tile-role">{ROLE_LABEL[role]}</span>}
          {handUp && (
            <span className="badge tile-hand" title="Hand raised">
              ✋<span className="visually-hidden"> hand raised</span>
            </span>
          )}
        </div>
        <ConnectionQualityIndicator className="lk-participant-metadata-item" />
      </div>
      <PinButton trackRef={ref} name={participant.name || participant.identity} />
      </ParticipantContext.Provider>
      </TrackRefContext.Provider>
    </div>
  );
}
