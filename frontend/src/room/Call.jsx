// The call: a full-viewport page with the stage, a side drawer (a sheet on phones) for people,
// chat, files and transcript, captions over the stage and the control bar fixed at the bottom.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ConnectionState, RoomEvent } from 'livekit-client';
import {
  LayoutContextProvider,
  RoomAudioRenderer,
  RoomContext,
  StartAudio,
  useConnectionState,
  useCreateLayoutContext,
  useRemoteParticipants,
} from '@livekit/components-react';
import { onServerMessage, TOPICS } from '../lib/serverMessages.js';
import { describeMediaError, isUserCancel } from '../lib/media.js';
import { Stage } from './Stage.jsx';
import { Controls } from './Controls.jsx';
import { CaptionsBar, CaptionsUnavailable, Transcript, useCaptions } from './Captions.jsx';
import { Chat } from './panels/Chat.jsx';
import { Files } from './panels/Files.jsx';
import { People } from './panels/People.jsx';
import { Dialog } from './Dialog.jsx';
import { Toasts } from './Toasts.jsx';
import { RecordingIndicator, useRecording } from './Recording.jsx';
import { chimeEnabled, setChimeEnabled, useHostFeed } from './hostFeed.js';
import { roleOf } from './Tile.jsx';
import { PollsPanel, usePolls } from './Polls.jsx';
import { ReactButton, ReactionBurst } from './Reactions.jsx';
import { PulseGauge } from './Pulse.jsx';

const PANEL_TITLES = { people: 'People', chat: 'Chat', polls: 'Polls', files: 'Files', transcript: 'Transcript' };
const CAPTIONS_KEY = 'lectern.captions';
const CAPTION_SIZE_KEY = 'lectern.captionSize';
const SHORTCUTS = [
  ['M', 'Microphone on or off'],
  ['V', 'Camera on or off'],
  ['H', 'Raise or lower your hand (students)'],
  ['C', 'Captions on or off'],
  ['T', 'Open or close the chat'],
  ['P', 'Open or close the people panel'],
  ['?', 'This list of shortcuts'],
];

function stored(key, fallback) {
  try {
    return localStorage.getItem(key) ?? fallback;
  } catch {
    return fallback;
  }
}
function store(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // private browsing
  }
}

function ConnectionPill() {
  const state = useConnectionState();
  const label = state === ConnectionState.SignalReconnecting ? 'reconnecting' : state;
  return (
    <span id="connection-state" className="connection-state" data-state={label} role="status">
      {label}
    </span>
  );
}

function AssistantPill({ captionsOn }) {
  const present = useRemoteParticipants().some((p) => p.isAgent);
  if (!present) return null;
  return (
    <span id="assistant-notice" className="assistant-notice" role="status">
      <span className="assistant-dot" aria-hidden="true" />
      AI assistant is listening{captionsOn ? ' — captions on' : ''}
    </span>
  );
}

function InviteButton({ url }) {
  const [copied, setCopied] = useState(false);
  if (!url) return null;
  return (
    <div className="invite">
      <label htmlFor="invite-url">Invite link</label>
      <input id="invite-url" type="text" readOnly value={url} onFocus={(e) => e.target.select()} />
      <button
        id="copy-invite"
        type="button"
        className="btn btn-small"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(url);
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          } catch {
            document.getElementById('invite-url')?.select();
          }
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** The room's PIN for its hosts, with a copy button; a PIN set before PINs were kept readable says so. */
function PinField({ pin, requiresPin }) {
  const [copied, setCopied] = useState(false);
  if (!requiresPin) return null;
  if (!pin) {
    return (
      <span id="room-pin" className="room-pin muted">
        PIN set — change it on the room's edit page to see it
      </span>
    );
  }
  return (
    <span id="room-pin" className="room-pin">
      PIN <code>{pin}</code>
      <button
        id="copy-pin"
        type="button"
        className="btn btn-small"
        aria-label="Copy the PIN"
        onClick={async () => {
          try {
            await navigator.clipboard.writeText(pin);
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          } catch {
            // no clipboard (insecure origin): the PIN is on screen
          }
        }}
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </span>
  );
}

function CallBody({ room, config, rooms, onLeave, onEndForAll, mediaProblems, setMediaProblem }) {
  const isHostPage = config.role === 'host';
  const [panel, setPanel] = useState(null);
  const [layout, setLayout] = useState('speaker');
  const [captionsOn, setCaptionsOnState] = useState(() => stored(CAPTIONS_KEY, 'on') !== 'off');
  const [captionSize, setCaptionSize] = useState(() => stored(CAPTION_SIZE_KEY, 'medium'));
  const [unread, setUnread] = useState(0);
  const [newFiles, setNewFiles] = useState(0);
  const [toasts, setToasts] = useState([]);
  const [announcement, setAnnouncement] = useState('');
  const [notice, setNotice] = useState('');
  const recordingFailed = useCallback((why) => setNotice(`Recording stopped: ${why}`), []);
  const recordingState = useRecording(config.roomCode, recordingFailed);
  const [dialog, setDialog] = useState(null); // {title, body, confirmLabel, danger, onConfirm, extra}
  const [leaveOpen, setLeaveOpen] = useState(false);
  const [moreOpen, setMoreOpen] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [chime, setChime] = useState(chimeEnabled);
  const [myRole, setMyRole] = useState(isHostPage ? 'host' : 'guest');
  const [handRaised, setHandRaised] = useState(false);
  const toastId = useRef(0);
  const { lines, transcript } = useCaptions(room);

  const say = useCallback((text) => {
    setNotice(text || '');
    setAnnouncement(text || '');
  }, []);

  const dismiss = useCallback((id) => setToasts((all) => all.filter((t) => t.id !== id)), []);
  const pushToast = useCallback(
    (toast) => {
      const id = ++toastId.current;
      setToasts((all) => [...all.slice(-3), { ...toast, id }]);
      setAnnouncement(toast.text);
      setTimeout(() => dismiss(id), 20000);
    },
    [dismiss],
  );

  const post = useCallback(
    async (path, body) => {
      try {
        return await rooms.post(path, body);
      } catch (err) {
        say(err.message);
        return null;
      }
    },
    [rooms, say],
  );

  const feed = useHostFeed({
    enabled: isHostPage,
    code: config.roomCode,
    notify: (kind, item) => {
      if (kind === 'knock') {
        pushToast({
          kind,
          text: `${item.display_name} is waiting to join`,
          actions: [
            { label: 'Admit', primary: true, onClick: () => post(`/lobby/${item.id}/admit`) },
            { label: 'Waiting room', onClick: () => setPanel('people') },
          ],
        });
      } else if (kind === 'pin_paused') {
        pushToast({
          kind: 'notice',
          text: item.message || 'Too many wrong PINs: PIN entry is paused.',
          actions: [{ label: 'Let students enter the PIN again', primary: true, onClick: () => post('/pin-pause/lift') }],
        });
      } else if (kind === 'pin_resumed') {
        say(item.message || 'Students can enter the PIN again.');
      } else {
        const id = encodeURIComponent(item.identity);
        pushToast({
          kind,
          text: `${item.display_name} raised their hand`,
          actions: [
            { label: 'Let speak', primary: true, onClick: () => post(`/participants/${id}/speak`, { allow: true }) },
            { label: 'Lower', onClick: () => post(`/participants/${id}/lower-hand`) },
          ],
        });
      }
    },
  });
  const handSet = useMemo(() => new Set(feed.hands.map((h) => h.identity)), [feed.hands]);

  const moderator = isHostPage || myRole === 'cohost';
  const polls = usePolls({
    room,
    rooms,
    moderator,
    onNewPoll: (poll) => {
      if (moderator) return;
      pushToast({
        kind: 'poll',
        text: `New poll: ${poll.question}`,
        actions: [{ label: 'Answer', primary: true, onClick: () => setPanel('polls') }],
      });
    },
  });
  const attention = feed.waiting.length + feed.hands.length;

  // The tab title counts what waits for the host.
  useEffect(() => {
    const base = `${config.title} · Lectern`;
    document.title = attention ? `(${attention}) ${base}` : base;
    return () => {
      document.title = base;
    };
  }, [attention, config.title]);

  // Server notices (muted, made co-host...) and role changes of this participant.
  useEffect(() => {
    const stop = onServerMessage(room, [TOPICS.notice], (_topic, message) => {
      if (typeof message.text === 'string' && message.text) {
        say(message.text);
        pushToast({ kind: 'notice', text: message.text });
      }
    });
    const onAttributes = (_changed, participant) => {
      if (!participant.isLocal || isHostPage) return;
      const role = roleOf(participant);
      setMyRole(role);
      if (role === 'cohost') say('The host made you a co-host.');
    };
    const onPermissions = (previous, participant) => {
      if (!participant.isLocal || isHostPage) return;
      const now = participant.permissions?.canPublish;
      if (previous?.canPublish && now === false) say('The host muted you: you can no longer use your microphone or camera.');
      if (previous && !previous.canPublish && now) {
        say('The host let you speak: turn your microphone on.');
        setHandRaised(false);
      }
    };
    room.on(RoomEvent.ParticipantAttributesChanged, onAttributes);
    room.on(RoomEvent.ParticipantPermissionsChanged, onPermissions);
    if (!isHostPage) setMyRole(roleOf(room.localParticipant));
    return () => {
      stop();
      room.off(RoomEvent.ParticipantAttributesChanged, onAttributes);
      room.off(RoomEvent.ParticipantPermissionsChanged, onPermissions);
    };
  }, [room, isHostPage, say, pushToast]);

  const togglePanel = useCallback(
    (name) => {
      setPanel((current) => (current === name ? null : name));
      if (name === 'chat') setUnread(0);
      if (name === 'files') setNewFiles(0);
    },
    [],
  );
  const onUnread = useCallback((n) => setUnread((u) => u + n), []);
  const onNewFile = useCallback(() => setNewFiles((n) => n + 1), []);

  const setCaptionsOn = useCallback((on) => {
    setCaptionsOnState(on);
    store(CAPTIONS_KEY, on ? 'on' : 'off');
  }, []);

  const toggleHand = useCallback(async () => {
    const result = await post('/hand', { raised: !handRaised });
    if (result) setHandRaised(!!result.raised);
  }, [handRaised, post]);

  const onDeviceError = useCallback(
    (kind, err) => {
      if (kind === 'screen' && isUserCancel(err)) return;
      setMediaProblem(kind, describeMediaError(kind, err));
    },
    [setMediaProblem],
  );

  // Keyboard shortcuts (not while typing).
  useEffect(() => {
    const onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target.closest?.('input, textarea, select, [contenteditable="true"], dialog')) return;
      const lp = room.localParticipant;
      const key = event.key.toLowerCase();
      const mayPublish = lp.permissions?.canPublish !== false;
      if (key === 'm' && mayPublish) lp.setMicrophoneEnabled(!lp.isMicrophoneEnabled).catch((e) => onDeviceError('microphone', e));
      else if (key === 'v' && mayPublish) lp.setCameraEnabled(!lp.isCameraEnabled).catch((e) => onDeviceError('camera', e));
      else if (key === 'h' && !isHostPage) toggleHand();
      else if (key === 'c' && config.aiAssistant) setCaptionsOn(!captionsOn);
      else if (key === 't') togglePanel('chat');
      else if (key === 'p') togglePanel('people');
      else if (event.key === '?') setHelpOpen(true);
      else return;
      event.preventDefault();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [room, isHostPage, toggleHand, config.aiAssistant, captionsOn, setCaptionsOn, togglePanel, onDeviceError]);

  const confirm = useCallback((spec) => setDialog(spec), []);
  const problems = Object.entries(mediaProblems);

  return (
    <div className="call" data-lk-theme="default" data-panel={panel || 'none'} data-layout={layout}>
      <a className="skip-link" href="#controls" onClick={(e) => {
        e.preventDefault();
        document.getElementById('controls')?.focus();
      }}>
        Skip to the lecture controls
      </a>
      <header className="call-header">
        <h1 className="room-name">{config.title}</h1>
        {myRole !== 'guest' && <span className="badge room-role">{myRole === 'host' ? 'Host' : 'Co-host'}</span>}
        <ConnectionPill />
        <RecordingIndicator recording={recordingState.recording} />
        {config.aiAssistant && <AssistantPill captionsOn={captionsOn} />}
        {moderator && <PulseGauge room={room} />}
        {config.aiAssistant && <CaptionsUnavailable room={room} />}
        {isHostPage && <InviteButton url={config.inviteUrl} />}
        {isHostPage && <PinField pin={config.pin} requiresPin={config.requiresPin} />}
      </header>

      {(notice || problems.length > 0) && (
        <div className="call-notices">
          {notice && (
            <p id="moderation-notice" className="notice" role="status">
              {notice}
              <button type="button" className="btn btn-small btn-ghost" aria-label="Dismiss notice" onClick={() => setNotice('')}>
                ✕
              </button>
            </p>
          )}
          {problems.length > 0 && (
            <div id="media-notice" className="notice notice-warning" role="status">
              {problems.map(([kind, text]) => (
                <p key={kind} className="media-problem" data-kind={kind}>
                  {text}
                </p>
              ))}
            </div>
          )}
        </div>
      )}

      <div className="call-main">
        <section className="stage" aria-label="Video">
          <Stage layout={layout} hands={handSet} />
          <ReactionBurst room={room} />
          {config.aiAssistant && captionsOn && <CaptionsBar lines={lines} size={captionSize} />}
        </section>
        <aside id="drawer" className="drawer" aria-label={panel ? PANEL_TITLES[panel] : 'Panels'} hidden={!panel}>
          <div className="drawer-head">
            <div className="drawer-tabs" role="group" aria-label="Panels">
              {Object.entries(PANEL_TITLES)
                .filter(([name]) => name !== 'transcript' || config.aiAssistant)
                .map(([name, title]) => (
                  <button key={name} type="button" className="tab" aria-pressed={panel === name} onClick={() => togglePanel(name)}>
                    {title}
                  </button>
                ))}
            </div>
            <button type="button" className="btn btn-small btn-ghost" aria-label="Close the panel" onClick={() => setPanel(null)}>
              ✕
            </button>
          </div>
          <People config={config} rooms={rooms} active={panel === 'people'} myRole={myRole} feed={feed} handSet={handSet} confirm={confirm} say={say} />
          <Chat
            room={room}
            rooms={rooms}
            isHost={isHostPage}
            moderator={moderator}
            active={panel === 'chat'}
            onUnread={onUnread}
          />
          <PollsPanel active={panel === 'polls'} moderator={moderator} {...polls} say={say} />
          <Files rooms={rooms} canUpload={isHostPage || config.studentUploads} active={panel === 'files'} onNew={onNewFile} />
          {config.aiAssistant && <Transcript transcript={transcript} active={panel === 'transcript'} />}
        </aside>
      </div>

      <Controls
        isHost={isHostPage}
        aiAssistant={config.aiAssistant}
        panel={panel}
        togglePanel={togglePanel}
        captionsOn={captionsOn}
        setCaptionsOn={setCaptionsOn}
        handRaised={handRaised}
        toggleHand={toggleHand}
        counts={{ unread, attention: isHostPage ? attention : 0, files: newFiles, polls: polls.waiting }}
        reactions={<ReactButton rooms={rooms} student={!moderator} />}
        onLeave={() => (myRole === 'guest' ? onLeave() : setLeaveOpen(true))}
        onMore={() => setMoreOpen(true)}
        onDeviceError={onDeviceError}
        recording={isHostPage ? recordingState : null}
      />
      <StartAudio label="Click to enable the lecture's sound" className="btn btn-primary start-audio" />
      <RoomAudioRenderer />
      <Toasts toasts={toasts} dismiss={dismiss} announcement={announcement} />

      <Dialog id="leave-dialog" open={leaveOpen} title="Leave the lecture?" onClose={() => setLeaveOpen(false)}>
        <p>If you leave, the lecture goes on: co-hosts keep it running and students stay. Ending it closes it for everyone.</p>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setLeaveOpen(false)}>
            Cancel
          </button>
          <button id="leave-only" type="button" className="btn btn-primary" onClick={() => { setLeaveOpen(false); onLeave(); }}>
            Leave (the lecture goes on)
          </button>
          {isHostPage && (
            <button
              id="end-for-all"
              type="button"
              className="btn btn-danger"
              onClick={async () => {
                setLeaveOpen(false);
                await onEndForAll();
              }}
            >
              End for everyone
            </button>
          )}
        </div>
      </Dialog>

      <Dialog id="confirm-dialog" open={!!dialog} title={dialog?.title || ''} onClose={() => setDialog(null)}>
        {dialog?.body && <p>{dialog.body}</p>}
        {dialog?.extra}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setDialog(null)}>
            Cancel
          </button>
          <button
            id="confirm-action"
            type="button"
            className={dialog?.danger ? 'btn btn-danger' : 'btn btn-primary'}
            onClick={async () => {
              const action = dialog?.onConfirm;
              await action?.();
              setDialog(null);
            }}
          >
            {dialog?.confirmLabel || 'OK'}
          </button>
        </div>
      </Dialog>

      <Dialog id="more-dialog" open={moreOpen} title="More" onClose={() => setMoreOpen(false)}>
        <div className="more-grid">
          <button id="more-polls" type="button" className="btn" onClick={() => { setMoreOpen(false); setPanel('polls'); }}>
            Polls{polls.waiting ? ` (${polls.waiting} to answer)` : ''}
          </button>
          <button type="button" className="btn" onClick={() => { setMoreOpen(false); togglePanel('files'); }}>
            Files{newFiles ? ` (${newFiles} new)` : ''}
          </button>
          {config.aiAssistant && (
            <button type="button" className="btn" onClick={() => { setMoreOpen(false); togglePanel('transcript'); }}>
              Transcript
            </button>
          )}
          <fieldset className="choice">
            <legend>Layout</legend>
            <label className="checkbox">
              <input type="radio" name="layout" checked={layout === 'speaker'} onChange={() => setLayout('speaker')} /> Speaker view
            </label>
            <label className="checkbox">
              <input id="layout-grid" type="radio" name="layout" checked={layout === 'grid'} onChange={() => setLayout('grid')} /> Grid view
            </label>
          </fieldset>
          {config.aiAssistant && (
            <fieldset className="choice">
              <legend>Caption size</legend>
              {['medium', 'large', 'x-large'].map((size) => (
                <label key={size} className="checkbox">
                  <input
                    type="radio"
                    name="caption-size"
                    checked={captionSize === size}
                    onChange={() => {
                      setCaptionSize(size);
                      store(CAPTION_SIZE_KEY, size);
                    }}
                  />{' '}
                  {size === 'medium' ? 'Normal' : size === 'large' ? 'Large' : 'Very large'}
                </label>
              ))}
            </fieldset>
          )}
          {isHostPage && (
            <label className="checkbox">
              <input
                id="chime"
                type="checkbox"
                checked={chime}
                onChange={(e) => {
                  setChime(e.target.checked);
                  setChimeEnabled(e.target.checked);
                }}
              />{' '}
              Chime when someone knocks or raises a hand
            </label>
          )}
          <button type="button" className="btn" onClick={() => { setMoreOpen(false); setHelpOpen(true); }}>
            Keyboard shortcuts
          </button>
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setMoreOpen(false)}>
            Close
          </button>
        </div>
      </Dialog>

      <Dialog id="help-dialog" open={helpOpen} title="Keyboard shortcuts" onClose={() => setHelpOpen(false)}>
        <dl className="shortcuts">
          {SHORTCUTS.map(([key, what]) => (
            <div key={key}>
              <dt>
                <kbd>{key}</kbd>
              </dt>
              <dd>{what}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">Arrow keys move between the buttons of the control bar.</p>
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => setHelpOpen(false)}>
            Close
          </button>
        </div>
      </Dialog>
    </div>
  );
}

export function Call(props) {
  const layoutContext = useCreateLayoutContext();
  return (
    <RoomContext.Provider value={props.room}>
      <LayoutContextProvider value={layoutContext}>
        <CallBody {...props} />
      </LayoutContextProvider>
    </RoomContext.Provider>
  );
}
