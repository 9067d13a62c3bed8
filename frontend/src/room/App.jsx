// The room page as a state machine: pre-join → (students: knock, wait in the lobby) → the call →
// one calm end state. One livekit-client Room lives for the page's lifetime.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ConnectionState, DisconnectReason, Room, RoomEvent, Track } from 'livekit-client';
import { api, ApiError, roomApi } from '../lib/http.js';
import { openSocket } from '../lib/socket.js';
import { fingerprint } from '../lib/fingerprint.js';
import { describeMediaError } from '../lib/media.js';
import { onServerMessage, safeLectureUrl, setupServerMessages, TOPICS } from '../lib/serverMessages.js';
import { PreJoin, loadChoices } from './PreJoin.jsx';
import { Call } from './Call.jsx';
import { EndState } from './EndState.jsx';

function createRoom() {
  // Adaptive stream pauses video nobody sees; dynacast stops layers nobody receives; video is
  // subscribed only while its tile is on screen (see Tile.jsx), audio always.
  return new Room({ adaptiveStream: true, dynacast: true });
}

export function App({ config, root }) {
  const room = useMemo(createRoom, []);
  const rooms = useMemo(() => roomApi(config.roomCode), [config.roomCode]);
  const isHost = config.role === 'host';
  const [stage, setStage] = useState(isHost ? 'prejoin' : 'checking');
  const [end, setEnd] = useState(null); // {kind, message}
  const [error, setError] = useState('');
  const [hostMessage, setHostMessage] = useState('');
  const [lobbyOpen, setLobbyOpen] = useState(false); // the waiting room socket is up
  const [notStarted, setNotStarted] = useState(!config.live && !isHost);
  const [mediaProblems, setMediaProblems] = useState({});
  const lectureUrl = useRef('');
  const leaving = useRef(false);
  const choicesRef = useRef(loadChoices(isHost));
  const lobbySocket = useRef(null);
  const pollTimer = useRef(null);

  const setMediaProblem = useCallback((kind, message) => {
    setMediaProblems((previous) => {
      const next = { ...previous };
      if (message) next[kind] = message;
      else delete next[kind];
      return next;
    });
  }, []);

  // Connection state for other code and tests: body[data-room-state].
  useEffect(() => {
    const label = (state) =>
      state === ConnectionState.SignalReconnecting ? 'reconnecting' : String(state);
    const onState = (state) => {
      document.body.dataset.roomState = label(state);
      root.dataset.state = label(state);
    };
    room.on(RoomEvent.ConnectionStateChanged, onState);
    return () => room.off(RoomEvent.ConnectionStateChanged, onState);
  }, [room, root]);

  // Audio is always subscribed, and the professor's video (it is on the stage, so subscribing before
  // the tile renders saves a round trip); other video only while a tile shows it (autoSubscribe off).
  useEffect(() => {
    const subscribeAudio = (publication, participant) => {
      const hostVideo = participant?.attributes?.role === 'host' && publication.kind === Track.Kind.Video;
      if (publication.kind === Track.Kind.Audio || hostVideo) publication.setSubscribed(true);
    };
    const onParticipant = (participant) =>
      participant.trackPublications.forEach((publication) => subscribeAudio(publication, participant));
    const onConnected = () => room.remoteParticipants.forEach(onParticipant);
    room.on(RoomEvent.TrackPublished, subscribeAudio);
    room.on(RoomEvent.ParticipantConnected, onParticipant);
    room.on(RoomEvent.Connected, onConnected);
    return () => {
      room.off(RoomEvent.TrackPublished, subscribeAudio);
      room.off(RoomEvent.ParticipantConnected, onParticipant);
      room.off(RoomEvent.Connected, onConnected);
    };
  }, [room]);

  useEffect(() => setupServerMessages(room, config.roomCode), [room, config.roomCode]);

  // The server's "ended" message is its word that the lecture is over, and carries the lecture page for
  // those who may read it. It ends the call here too: LiveKit's "room deleted" can lose a race with the
  // client's own reconnect (a student who had just joined came back into a new, empty room).
  useEffect(
    () =>
      onServerMessage(room, [TOPICS.ended], (_topic, message) => {
        lectureUrl.current = safeLectureUrl(message.lecture_url);
        window.lectern.lectureUrl = lectureUrl.current;
        const url = lectureUrl.current;
        if (!leaving.current && room.state !== ConnectionState.Disconnected) {
          leaving.current = true;
          setMediaProblems({});
          setEnd({ kind: 'ended', lectureUrl: url });
          setStage('ended');
          room.disconnect();
          return;
        }
        // the call may be down already (the room's deletion overtook this message; or a removal: kept)
        if (url) setEnd((current) => (current?.kind === 'ended' && !current.lectureUrl ? { ...current, lectureUrl: url } : current));
      }),
    [room],
  );

  useEffect(() => {
    const onDisconnected = (reason) => {
      if (leaving.current) return;
      setMediaProblems({});
      let kind = 'lost';
      if (reason === DisconnectReason.PARTICIPANT_REMOVED) kind = 'removed';
      else if (reason === DisconnectReason.ROOM_DELETED || reason === DisconnectReason.ROOM_CLOSED) kind = 'ended';
      else if (reason === DisconnectReason.DUPLICATE_IDENTITY) kind = 'duplicate';
      else if (reason === DisconnectReason.CLIENT_INITIATED) kind = 'left';
      setEnd({ kind, lectureUrl: lectureUrl.current });
      setStage('ended');
      window.dispatchEvent(new CustomEvent('lectern:disconnected', { detail: { room, reason } }));
    };
    room.on(RoomEvent.Disconnected, onDisconnected);
    return () => room.off(RoomEvent.Disconnected, onDisconnected);
  }, [room]);

  const connect = useCallback(
    async (credentials) => {
      if (!credentials?.livekit_url || !credentials?.token) throw new TypeError('connect() needs {livekit_url, token}');
      lobbySocket.current?.close();
      setError('');
      setStage('connecting');
      leaving.current = false;
      try {
        await room.connect(credentials.livekit_url, credentials.token, { autoSubscribe: false });
      } catch (err) {
        setEnd({ kind: 'unreachable', detail: err?.message || String(err) });
        setStage('ended');
        return false;
      }
      setStage('call');
      window.dispatchEvent(new CustomEvent('lectern:connected', { detail: { room } }));
      const choices = choicesRef.current;
      if (room.localParticipant.permissions?.canPublish === false) return true;
      for (const [kind, on, deviceId, enable] of [
        ['microphone', choices.audioEnabled, choices.audioDeviceId, (v, o) => room.localParticipant.setMicrophoneEnabled(v, o)],
        ['camera', choices.videoEnabled, choices.videoDeviceId, (v, o) => room.localParticipant.setCameraEnabled(v, o)],
      ]) {
        if (!on) continue;
        try {
          await enable(true, deviceId ? { deviceId } : undefined);
          setMediaProblem(kind, null);
        } catch (err) {
          setMediaProblem(kind, describeMediaError(kind, err));
        }
      }
      return true;
    },
    [room, setMediaProblem],
  );

  const fetchAndConnect = useCallback(async () => {
    const url = isHost ? config.tokenUrl : `${rooms.base}/rejoin`;
    setStage('connecting');
    try {
      const credentials = await api(url, { method: 'POST' });
      return await connect(credentials);
    } catch (err) {
      if (!isHost && err instanceof ApiError && err.status >= 400 && err.status < 500) {
        setStage('prejoin'); // no longer admitted: knock again
        setError(err.message);
      } else {
        setEnd({ kind: 'unreachable', detail: err.message });
        setStage('ended');
      }
      return false;
    }
  }, [config.tokenUrl, connect, isHost, rooms.base]);

  const leave = useCallback(async () => {
    leaving.current = true;
    await room.disconnect();
    setMediaProblems({});
    setEnd({ kind: 'left', lectureUrl: lectureUrl.current });
    setStage('ended');
    window.dispatchEvent(new CustomEvent('lectern:left', { detail: { room } }));
  }, [room]);

  const endForAll = useCallback(async () => {
    const result = await rooms.post('/end');
    if (result?.lecture_id) {
      lectureUrl.current = safeLectureUrl(`/lectures/${result.lecture_id}/`);
      // the call may already be down (the room was deleted before this answer came back)
      setEnd((current) => (current?.kind === 'ended' ? { ...current, lectureUrl: lectureUrl.current } : current));
    }
    return result;
  }, [rooms]);

  // A student's way in: knock, wait on the lobby socket, get the token pushed on admission.
  const waitInLobby = useCallback(() => {
    lobbySocket.current?.close();
    lobbySocket.current = openSocket(`/ws/lobby/${encodeURIComponent(config.roomCode)}/`, {
      onOpen: () => setLobbyOpen(true),
      onClose: () => setLobbyOpen(false),
      onMessage: (message) => {
        if (message.type !== 'lobby.status') return;
        if (message.status === 'waiting') {
          setStage('waiting');
          if (message.message) setHostMessage(message.message);
        } else if (message.status === 'admitted' && message.token) {
          lobbySocket.current?.close();
          connect(message);
        } else if (message.status === 'rejected') {
          lobbySocket.current?.close();
          setEnd({ kind: 'rejected', message: message.message || '' });
          setStage('ended');
        } else if (!message.status && message.message) {
          setHostMessage(message.message);
        }
      },
    });
  }, [config.roomCode, connect]);

  const knock = useCallback(
    async (body) => {
      setError('');
      clearTimeout(pollTimer.current);
      try {
        // a personal link from the roster joins through /roster/join with the roster's name
        const data = await rooms.post(body.token ? '/roster/join' : '/join', body);
        if (data?.token) connect(data);
        else {
          setStage('waiting');
          waitInLobby();
        }
      } catch (err) {
        if (err.status === 409) {
          setNotStarted(true);
          setStage('waiting-start');
          const poll = async () => {
            const info = await rooms.get('/public').catch(() => null);
            if (info?.status === 'live') {
              setNotStarted(false);
              knock(body);
            } else pollTimer.current = setTimeout(poll, 3000);
          };
          pollTimer.current = setTimeout(poll, 3000);
        } else if (err.status === 429) {
          setError(`${err.message} (try again in ${err.retryAfter || 60} s)`);
          setStage('prejoin');
        } else {
          setError(err.message);
          setStage('prejoin');
        }
      }
    },
    [connect, rooms, waitInLobby],
  );

  const onPreJoin = useCallback(
    async (choices) => {
      choicesRef.current = choices;
      if (isHost) {
        fetchAndConnect();
        return;
      }
      const personal = new URLSearchParams(window.location.search).get('s');
      const body = {
        fingerprint: await fingerprint(),
        transcribe_me: choices.transcribeMe,
      };
      if (personal) body.token = personal;
      else body.display_name = choices.username;
      if (config.requiresPin) body.pin = choices.pin;
      setStage('knocking');
      knock(body);
    },
    [config.requiresPin, fetchAndConnect, isHost, knock],
  );

  // After a reload an admitted student goes straight back in with the choices they made.
  useEffect(() => {
    if (isHost) return;
    api(`${rooms.base}/rejoin`, { method: 'POST' })
      .then((credentials) => connect(credentials))
      .catch(() => setStage('prejoin'));
    // once, on load
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => () => lobbySocket.current?.close(), []);

  // Hooks for other scripts and browser tests.
  useEffect(() => {
    window.lectern = Object.assign(window.lectern || {}, {
      room,
      root,
      connect: (credentials) => connect(credentials).catch(() => false),
      leave,
      rejoin: fetchAndConnect,
      lectureUrl: lectureUrl.current,
    });
    window.dispatchEvent(new CustomEvent('lectern:ready', { detail: window.lectern }));
  }, [connect, fetchAndConnect, leave, room, root]);

  if (stage === 'call' || (stage === 'connecting' && room.state !== ConnectionState.Disconnected)) {
    return (
      <Call
        room={room}
        config={config}
        rooms={rooms}
        onLeave={leave}
        onEndForAll={endForAll}
        mediaProblems={mediaProblems}
        setMediaProblem={setMediaProblem}
      />
    );
  }
  if (stage === 'ended') {
    return (
      <EndState
        config={config}
        end={end}
        onRejoin={() => {
          setEnd(null);
          if (!isHost && end?.kind === 'rejected') setStage('prejoin');
          else fetchAndConnect();
        }}
      />
    );
  }
  return (
    <PreJoin
      config={config}
      stage={stage}
      error={error}
      notStarted={notStarted}
      hostMessage={hostMessage}
      lobbyOpen={lobbyOpen}
      onSubmit={onPreJoin}
    />
  );
}
