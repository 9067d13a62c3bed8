// The stage: speaker view by default (pinned tile, else a screen share, else the professor, large;
// a filmstrip of the others, one page at a time), or a paginated grid. A screen share takes the
// stage by itself.
// The AI assistant is not a person: it gets no tile.
import { useEffect, useRef } from 'react';
import { RoomEvent, Track } from 'livekit-client';
import {
  FocusLayoutContainer,
  isTrackReference,
  useLayoutContext,
  usePinnedTracks,
  useTracks,
} from '@livekit/components-react';
import { Tile, roleOf } from './Tile.jsx';
import { Filmstrip, PagedGrid } from './Pages.jsx';

const sameRef = (a, b) =>
  !!a && !!b && a.participant.identity === b.participant.identity && a.source === b.source;

export function Stage({ layout, hands }) {
  const layoutContext = useLayoutContext();
  const tracks = useTracks(
    [
      { source: Track.Source.Camera, withPlaceholder: true },
      { source: Track.Source.ScreenShare, withPlaceholder: false },
    ],
    { updateOnlyOn: [RoomEvent.ActiveSpeakersChanged], onlySubscribed: false },
  ).filter((ref) => !ref.participant.isAgent);
  const pinned = usePinnedTracks(layoutContext)?.[0];
  const autoPinned = useRef(null);
  const screens = tracks.filter((ref) => isTrackReference(ref) && ref.source === Track.Source.ScreenShare);
  const screenKey = screens.map((ref) => ref.publication.trackSid).join();

  // A new screen share takes the stage (unless something is pinned); it leaves when the share ends.
  useEffect(() => {
    const screen = screens[0];
    if (screen && !autoPinned.current && !pinned) {
      layoutContext.pin.dispatch?.({ msg: 'set_pin', trackReference: screen });
      autoPinned.current = screen.publication.trackSid;
    } else if (autoPinned.current && !screens.some((ref) => ref.publication.trackSid === autoPinned.current)) {
      if (pinned?.source === Track.Source.ScreenShare) layoutContext.pin.dispatch?.({ msg: 'clear_pin' });
      autoPinned.current = null;
    }
    // screens change exactly when screenKey does
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [screenKey]);

  let focus = pinned && tracks.find((ref) => sameRef(ref, pinned));
  if (!focus && layout === 'speaker') {
    const cameras = tracks.filter((ref) => ref.source === Track.Source.Camera);
    focus =
      screens[0] ||
      cameras.find((ref) => roleOf(ref.participant) === 'host' && !ref.participant.isLocal) ||
      cameras.find((ref) => ref.participant.isSpeaking && !ref.participant.isLocal) ||
      cameras.find((ref) => roleOf(ref.participant) === 'host') ||
      cameras.find((ref) => !ref.participant.isLocal) ||
      cameras[0];
  }

  const others = focus ? tracks.filter((ref) => !sameRef(ref, focus)) : tracks;
  if (!focus || (others.length === 0 && !pinned)) {
    return (
      <div className="stage-grid" data-layout="grid">
        <PagedGrid tracks={tracks}>
          <Tile hands={hands} />
        </PagedGrid>
      </div>
    );
  }
  return (
    <div className="stage-focus" data-layout="speaker">
      <FocusLayoutContainer>
        {others.length > 0 && (
          <Filmstrip tracks={others}>
            <Tile hands={hands} />
          </Filmstrip>
        )}
        <Tile trackRef={focus} hands={hands} className="tile-focus" />
      </FocusLayoutContainer>
    </div>
  );
}
