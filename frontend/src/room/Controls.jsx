// The control bar, fixed at the bottom of the viewport: mic and camera (with the toolkit's device
// menus), share, hand, captions, chat, people, more, leave. A toolbar: arrow keys, Home and End
// move between buttons. Toggles expose their state with aria-pressed only. Polls and the React
// menu come from Polls.jsx / Reactions.jsx (the menu's own buttons are outside the arrow-key loop).
import { useRef } from 'react';
import { Track } from 'livekit-client';
import { MediaDeviceMenu, TrackToggle, useLocalParticipantPermissions } from '@livekit/components-react';
import { Icon } from './icons.jsx';
import { RecordButton } from './Recording.jsx';

function Badge({ count, label }) {
  if (!count) return null;
  return (
    <span className="control-badge" aria-label={`${count} ${label}`}>
      {count}
    </span>
  );
}

function onToolbarKey(event) {
  if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(event.key)) return;
  const buttons = [...event.currentTarget.querySelectorAll('button:not([disabled]):not([hidden])')].filter(
    (b) => !b.closest('.lk-device-menu, .reaction-menu') && b.offsetParent !== null,
  );
  const index = buttons.indexOf(document.activeElement);
  if (index < 0) return;
  event.preventDefault();
  let next = index;
  if (event.key === 'ArrowRight') next = (index + 1) % buttons.length;
  if (event.key === 'ArrowLeft') next = (index - 1 + buttons.length) % buttons.length;
  if (event.key === 'Home') next = 0;
  if (event.key === 'End') next = buttons.length - 1;
  buttons[next].focus();
}

export function Controls({
  isHost,
  aiAssistant,
  panel,
  togglePanel,
  captionsOn,
  setCaptionsOn,
  handRaised,
  toggleHand,
  counts,
  onLeave,
  onMore,
  onDeviceError,
  recording,
  reactions,
}) {
  const permissions = useLocalParticipantPermissions();
  const canPublish = permissions ? permissions.canPublish !== false : false;
  const bar = useRef(null);
  const why = 'The host has not let you speak';
  return (
    <div id="controls" ref={bar} className="controls" role="toolbar" aria-label="Lecture controls" tabIndex={-1} onKeyDown={onToolbarKey}>
      <DeviceControl id="toggle-mic" label="Mic" source={Track.Source.Microphone} kind="audioinput" device="microphone"
        canPublish={canPublish} why={why} onDeviceError={onDeviceError} />
      <DeviceControl id="toggle-camera" label="Camera" source={Track.Source.Camera} kind="videoinput" device="camera"
        canPublish={canPublish} why={why} onDeviceError={onDeviceError} />
      {canPublish && typeof navigator !== 'undefined' && navigator.mediaDevices?.getDisplayMedia && (
        <TrackToggle
          id="toggle-screen"
          source={Track.Source.ScreenShare}
          className="control hide-narrow"
          captureOptions={{ audio: true }}
          onDeviceError={(e) => onDeviceError('screen', e)}
        >
          <span className="control-label">Share</span>
        </TrackToggle>
      )}
      {!isHost && (
        <button id="raise-hand" type="button" className="control" aria-pressed={handRaised} onClick={toggleHand}>
          <Icon name="hand" />
          <span className="control-label">Hand</span>
        </button>
      )}
      {aiAssistant && (
        <button id="toggle-captions" type="button" className="control" aria-pressed={captionsOn} onClick={() => setCaptionsOn(!captionsOn)}>
          <Icon name="captions" />
          <span className="control-label">Captions</span>
        </button>
      )}
      {reactions}
      <button id="toggle-chat" type="button" className="control" aria-pressed={panel === 'chat'} aria-controls="drawer" onClick={() => togglePanel('chat')}>
        <Icon name="chat" />
        <span className="control-label">Chat</span>
        <Badge count={counts.unread} label="unread" />
      </button>
      <button id="toggle-people" type="button" className="control" aria-pressed={panel === 'people'} aria-controls="drawer" onClick={() => togglePanel('people')}>
        <Icon name="people" />
        <span className="control-label">People</span>
        <Badge count={counts.attention} label={isHost ? 'waiting or hands raised' : 'new'} />
      </button>
      <button id="toggle-polls" type="button" className="control hide-narrow" aria-pressed={panel === 'polls'} aria-controls="drawer" onClick={() => togglePanel('polls')}>
        <span aria-hidden="true">▤</span>
        <span className="control-label">Polls</span>
        <Badge count={counts.polls} label="polls to answer" />
      </button>
      {recording && <RecordButton {...recording} />}
      <button id="toggle-more" type="button" className="control" aria-haspopup="dialog" onClick={onMore}>
        <Icon name="more" />
        <span className="control-label">More</span>
        <Badge count={counts.files} label="new files" />
      </button>
      <button id="leave" type="button" className="control control-leave" onClick={onLeave}>
        <Icon name="leave" />
        <span className="control-label">Leave</span>
      </button>
    </div>
  );
}

/** Mic or camera: the toolkit's toggle and device menu, or a disabled button saying why not. */
function DeviceControl({ id, label, source, kind, device, canPublish, why, onDeviceError }) {
  return (
    <div className="control-group">
      {canPublish ? (
        <TrackToggle id={id} source={source} className="control" onDeviceError={(e) => onDeviceError(device, e)}>
          <span className="control-label">{label}</span>
        </TrackToggle>
      ) : (
        <button id={id} type="button" className="control" disabled title={why} aria-pressed="false">
          <span className="control-label">{label}</span>
        </button>
      )}
      {canPublish && (
        <MediaDeviceMenu kind={kind} className="control control-menu" aria-label={`Choose ${device}`} />
      )}
    </div>
  );
}
