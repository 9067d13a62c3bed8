// One tile of the stage: the toolkit's ParticipantTile (video, name, mic state, connection quality,
// pin) with Lectern's role and hand badges. Video is subscribed only while the tile is visible.
import { Track } from 'livekit-client';
import {
  ConnectionQualityIndicator,
  FocusToggle,
  ParticipantName,
  ParticipantTile,
  TrackMutedIndicator,
  VideoTrack,
  isTrackReference,
  useEnsureTrackRef,
} from '@livekit/components-react';

export function roleOf(participant) {
  return participant?.attributes?.role || 'guest';
}

const ROLE_LABEL = { host: 'Host', cohost: 'Co-host' };

export function Tile({ trackRef, hands, className = '', ...rest }) {
  const ref = useEnsureTrackRef(trackRef);
  const participant = ref.participant;
  const screen = ref.source === Track.Source.ScreenShare;
  const role = roleOf(participant);
  const hasVideo = isTrackReference(ref) && !ref.publication?.isMuted;
  const handUp = hands?.has(participant.identity);
  return (
    <ParticipantTile
      trackRef={ref}
      className={`tile ${className}`}
      data-identity={participant.identity}
      data-source={screen ? 'screen' : 'camera'}
      data-role={role}
      data-local={participant.isLocal ? 'true' : undefined}
      data-video={hasVideo ? 'on' : 'off'}
      {...rest}
    >
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
      <FocusToggle trackRef={ref} aria-label={`Pin ${participant.name || participant.identity}`} />
    </ParticipantTile>
  );
}
