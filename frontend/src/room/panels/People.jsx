// People: the waiting room and raised hands (hosts), the room-wide controls (apart, each confirmed),
// and everyone in the room with one actions menu per student. Everything goes through our API,
// which decides from the database who may do what; roles shown come from attributes our server set.
import { useEffect, useRef, useState } from 'react';
import { useParticipants } from '@livekit/components-react';
import { roleOf } from '../Tile.jsx';

function waitedFor(since) {
  const seconds = Math.max(0, Math.round((Date.now() - new Date(since).getTime()) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min`;
}

const ROLE_LABEL = { host: 'Host', cohost: 'Co-host' };

function ActionsMenu({ name, actions }) {
  const [open, setOpen] = useState(false);
  const wrapper = useRef(null);
  useEffect(() => {
    if (!open) return undefined;
    const close = (event) => {
      if (!wrapper.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener('click', close);
    return () => document.removeEventListener('click', close);
  }, [open]);
  if (!actions.length) return null;
  return (
    <div
      className="menu"
      ref={wrapper}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          setOpen(false);
          wrapper.current?.querySelector('button')?.focus();
        }
      }}
    >
      <button
        type="button"
        className="btn btn-small participant-menu"
        aria-haspopup="true"
        aria-expanded={open}
        aria-label={`Actions for ${name}`}
        onClick={() => setOpen(!open)}
      >
        ⋯
      </button>
      {open && (
        <ul className="menu-list">
          {actions.map((action) => (
            <li key={action.label}>
              <button
                type="button"
                className={`menu-item ${action.danger ? 'danger' : ''}`}
                onClick={() => {
                  setOpen(false);
                  action.onClick();
                }}
              >
                {action.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function People({ config, rooms, active, myRole, feed, handSet, confirm, say }) {
  const participants = useParticipants().filter((p) => p.identity);
  const people = participants.filter((p) => !p.isAgent);
  const assistant = participants.some((p) => p.isAgent);
  const isHostPage = config.role === 'host';
  const moderating = myRole === 'host' || myRole === 'cohost';
  const [settings, setSettings] = useState(config.settings);
  const [locked, setLocked] = useState(false);
  const [lockOnPanic, setLockOnPanic] = useState(false);
  const [lobbyText, setLobbyText] = useState('');

  const post = async (path, body) => {
    try {
      return await rooms.post(path, body);
    } catch (err) {
      say(err.message);
      return null;
    }
  };

  function actionsFor(p) {
    const role = roleOf(p);
    if (!moderating || p.isLocal || role === 'host') return [];
    if (role === 'cohost' && myRole !== 'host') return [];
    const name = p.name || p.identity;
    const id = encodeURIComponent(p.identity);
    const canPublish = p.permissions?.canPublish !== false;
    const actions = [
      {
        label: canPublish ? `Stop ${name} from sharing` : `Let ${name} speak`,
        onClick: () => post(`/participants/${id}/speak`, { allow: !canPublish }),
      },
    ];
    if (handSet.has(p.identity)) actions.push({ label: `Lower ${name}'s hand`, onClick: () => post(`/participants/${id}/lower-hand`) });
    if (myRole === 'host') {
      actions.push({
        label: role === 'cohost' ? `Remove co-host rights of ${name}` : `Make ${name} co-host`,
        onClick: () => post(`/participants/${id}/cohost`, { allow: role !== 'cohost' }),
      });
    }
    if (role === 'guest') {
      actions.push(
        {
          label: `Remove ${name}`,
          onClick: () =>
            confirm({
              title: `Remove ${name}?`,
              body: 'They leave the lecture now and can knock again.',
              confirmLabel: 'Remove',
              onConfirm: () => post(`/participants/${id}/kick`, { ban: false }),
            }),
        },
        {
          label: `Ban ${name}`,
          danger: true,
          onClick: () =>
            confirm({
              title: `Ban ${name} from this room?`,
              body: 'They leave now and cannot come back to any lecture of this room.',
              confirmLabel: 'Ban',
              danger: true,
              onConfirm: () => post(`/participants/${id}/kick`, { ban: true }),
            }),
        },
      );
    }
    return actions;
  }

  async function changeSetting(key, value) {
    setSettings((s) => ({ ...s, [key]: value }));
    try {
      await rooms.patch({ [key]: value });
    } catch {
      setSettings((s) => ({ ...s, [key]: !value }));
      say('Could not change the setting.');
    }
  }

  function muteAllMics() {
    confirm({
      title: 'Mute all microphones?',
      body: "Every student's microphone is muted now. Students may unmute themselves to speak; cameras stay on.",
      confirmLabel: 'Mute all mics',
      onConfirm: async () => {
        const result = await post('/mute-mics');
        if (result) say(`${result.count} microphone${result.count === 1 ? '' : 's'} muted.`);
      },
    });
  }

  function stopAllSharing() {
    confirm({
      title: 'Stop all students from sharing?',
      body: 'Every student loses the right to use their microphone, camera and screen until you let them speak again.',
      confirmLabel: 'Stop all students from sharing',
      danger: true,
      extra: (
        <label className="checkbox">
          <input type="checkbox" id="panic-lock" onChange={(e) => setLockOnPanic(e.target.checked)} /> Also lock the room
          (new arrivals wait in the lobby)
        </label>
      ),
      onConfirm: async () => {
        const lock = document.getElementById('panic-lock')?.checked || lockOnPanic;
        const result = await post('/mute-all', { lock });
        if (result) {
          say(`${result.count} student${result.count === 1 ? '' : 's'} can no longer share${lock ? '; the room is locked' : ''}.`);
          if (lock) setLocked(true);
        }
      },
    });
  }

  const waiting = feed.waiting;
  return (
    <section id="participants-panel" className="panel people-panel" aria-labelledby="participants-heading" hidden={!active}>
      {isHostPage && (
        <section id="lobby-panel" className="lobby-panel" aria-labelledby="lobby-heading">
          <h2 id="lobby-heading">
            Waiting room{' '}
            <span id="lobby-count" className="badge" aria-label="students waiting">
              {waiting.length}
            </span>
          </h2>
          {feed.warning && (
            <div id="lobby-notice" className="notice notice-warning" role="alert">
              <p>{feed.warning}</p>
              {feed.pinPaused && (
                <button type="button" id="lift-pin-pause" className="btn btn-small" onClick={() => post('/pin-pause/lift')}>
                  Let students enter the PIN again
                </button>
              )}
            </div>
          )}
          {waiting.length === 0 ? (
            <p id="lobby-empty" className="muted">
              Nobody is waiting.
            </p>
          ) : (
            <ul id="lobby-list" className="lobby-list">
              {waiting.map((entry) => (
                <li key={entry.id} className="lobby-entry" data-entry-id={entry.id}>
                  <span className="lobby-name">{entry.display_name}</span>
                  <span className="lobby-waited muted">{waitedFor(entry.waiting_since)}</span>
                  <button type="button" className="btn btn-small btn-primary lobby-admit" aria-label={`Admit ${entry.display_name}`} onClick={() => post(`/lobby/${entry.id}/admit`)}>
                    Admit
                  </button>
                  <button type="button" className="btn btn-small lobby-reject" aria-label={`Reject ${entry.display_name}`} onClick={() => post(`/lobby/${entry.id}/reject`, {})}>
                    Reject
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div className="lobby-actions">
            <button id="lobby-admit-all" type="button" className="btn btn-small" disabled={waiting.length === 0} onClick={() => post('/lobby/admit-all')}>
              Admit all
            </button>
          </div>
          <form
            id="lobby-message-form"
            className="inline-form"
            onSubmit={async (event) => {
              event.preventDefault();
              const message = lobbyText.trim();
              if (message && (await post('/lobby/message', { message }))) setLobbyText('');
            }}
          >
            <label htmlFor="lobby-message" className="visually-hidden">
              Message to everyone waiting
            </label>
            <input id="lobby-message" type="text" maxLength={500} placeholder="Message to everyone waiting" value={lobbyText} onChange={(e) => setLobbyText(e.target.value)} />
            <button type="submit" className="btn btn-small">
              Send
            </button>
          </form>
        </section>
      )}

      {isHostPage && feed.hands.length > 0 && (
        <section id="hands" className="hands" aria-labelledby="hands-heading">
          <h2 id="hands-heading">
            Raised hands <span id="hands-count" className="badge">{feed.hands.length}</span>
          </h2>
          <ol id="hands-list" className="hands-list">
            {feed.hands.map((hand) => {
              const id = encodeURIComponent(hand.identity);
              return (
                <li key={hand.identity} className="hand" data-identity={hand.identity}>
                  <span>{hand.display_name}</span>
                  <button type="button" className="btn btn-small btn-primary" aria-label={`Let speak: ${hand.display_name}`} onClick={() => post(`/participants/${id}/speak`, { allow: true })}>
                    Let speak
                  </button>
                  <button type="button" className="btn btn-small" aria-label={`Lower ${hand.display_name}'s hand`} onClick={() => post(`/participants/${id}/lower-hand`)}>
                    Lower
                  </button>
                </li>
              );
            })}
          </ol>
        </section>
      )}

      <h2 id="participants-heading">
        People <span id="participants-count" className="badge">{people.length}</span>
      </h2>
      {assistant && <p className="muted assistant-line">AI assistant is listening (not a participant).</p>}
      <ul id="participants-list" className="participants-list">
        {people.map((p) => {
          const role = roleOf(p);
          const name = p.name || p.identity;
          return (
            <li key={p.identity} className="participant" data-identity={p.identity} data-role={role}>
              <span className="participant-name">
                {name}
                {p.isLocal ? ' (you)' : ''}
              </span>
              {ROLE_LABEL[role] && <span className="badge">{ROLE_LABEL[role]}</span>}
              {handSet.has(p.identity) && <span className="badge badge-hand">✋ hand raised</span>}
              {p.permissions?.canPublish === false && <span className="badge badge-muted">listening only</span>}
              <ActionsMenu name={name} actions={actionsFor(p)} />
            </li>
          );
        })}
      </ul>

      {isHostPage && (
        <>
          <fieldset id="room-settings" className="room-settings">
            <legend>Students may…</legend>
            {[
              ['student_chat', 'write in the chat'],
              ['student_uploads', 'share files'],
              ['attendees_see_lecture', 'open the lecture page afterwards'],
            ].map(([key, label]) => (
              <label key={key} className="checkbox">
                <input type="checkbox" data-setting={key} checked={!!settings[key]} onChange={(e) => changeSetting(key, e.target.checked)} /> {label}
              </label>
            ))}
          </fieldset>
          <section className="host-tools danger-zone" aria-labelledby="room-controls-heading">
            <h3 id="room-controls-heading">Whole room</h3>
            <button id="mute-mics" type="button" className="btn" onClick={muteAllMics}>
              Mute all mics…
            </button>
            <button id="panic" type="button" className="btn btn-danger-outline" onClick={stopAllSharing}>
              Stop all students from sharing…
            </button>
            {locked && (
              <button
                id="unlock"
                type="button"
                className="btn"
                onClick={async () => {
                  if (await post('/lock', { locked: false })) {
                    setLocked(false);
                    say('The room is unlocked.');
                  }
                }}
              >
                Unlock room
              </button>
            )}
          </section>
        </>
      )}
    </section>
  );
}
