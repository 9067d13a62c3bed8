// Polls in the room. Hosts and co-hosts ask a question (2–8 options, single or multiple choice,
// named or anonymous, a timer or until closed), watch the results arrive live and choose when the
// students see them; students answer and may change their answer until the poll closes. State
// comes from our API and from the live socket only (serverMessages.js); the voter is the session.
import { useCallback, useEffect, useRef, useState } from 'react';
import { RoomEvent } from 'livekit-client';
import { onServerMessage, TOPICS } from '../lib/serverMessages.js';
import './engagement.css';

const MAX_OPTIONS = 8;
const TIMERS = [
  [0, 'Until I close it'],
  [30, '30 seconds'],
  [60, '1 minute'],
  [120, '2 minutes'],
  [300, '5 minutes'],
];

export function isOpen(poll, now) {
  if (poll.closed) return false;
  return !(poll.closes_at && Date.parse(poll.closes_at) <= now);
}

function useNow(ticking) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [ticking]);
  return now;
}

/** The current lecture's polls, kept live; `actions` call our API (errors come back as text). */
export function usePolls({ room, rooms, moderator, onNewPoll }) {
  const [polls, setPolls] = useState([]); // newest first
  const known = useRef(new Set());
  const onNew = useRef(onNewPoll);
  onNew.current = onNewPoll;
  const moderatorRef = useRef(moderator);
  moderatorRef.current = moderator;

  // A host gets two copies of each change (the hosts' one with results, the students' one): the
  // fields a copy lacks keep their value. Students drop results the host has hidden again.
  const merge = useCallback((incoming) => {
    if (!incoming || typeof incoming.id !== 'number') return;
    known.current.add(incoming.id);
    setPolls((previous) => {
      const index = previous.findIndex((p) => p.id === incoming.id);
      const merged = { ...(index < 0 ? {} : previous[index]), ...incoming };
      if (!moderatorRef.current && !merged.results_shown) {
        delete merged.counts;
        delete merged.votes;
      }
      if (index < 0) return [merged, ...previous].sort((a, b) => b.id - a.id);
      const next = previous.slice();
      next[index] = merged;
      return next;
    });
  }, []);

  useEffect(() => {
    const load = () =>
      rooms
        .get('/polls')
        .then((list) => Array.isArray(list) && list.forEach(merge))
        .catch(() => {});
    if (room.state === 'connected') load();
    room.on(RoomEvent.Connected, load);
    const stop = onServerMessage(room, [TOPICS.poll], (_topic, message) => {
      const fresh = message.type === 'poll.opened' && !known.current.has(message.poll.id);
      merge(message.poll);
      if (fresh) onNew.current?.(message.poll);
    });
    return () => {
      room.off(RoomEvent.Connected, load);
      stop();
    };
  }, [room, rooms, merge]);

  const call = useCallback(
    async (path, body) => {
      const poll = await rooms.post(path, body);
      merge(poll);
      return poll;
    },
    [rooms, merge],
  );
  const actions = {
    ask: (body) => call('/polls', body),
    vote: (id, choices) => call(`/polls/${id}/vote`, { choices }),
    close: (id) => call(`/polls/${id}/close`, {}),
    showResults: (id, shown) => call(`/polls/${id}/results`, { shown }),
  };
  const now = useNow(polls.some((p) => !p.closed && p.closes_at));
  const waiting = moderator ? 0 : polls.filter((p) => isOpen(p, now) && !p.my_choices).length;
  return { polls, actions, now, waiting };
}

function timeLeft(poll, now) {
  const seconds = Math.max(0, Math.ceil((Date.parse(poll.closes_at) - now) / 1000));
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function Status({ poll, now, moderator }) {
  let text;
  if (!isOpen(poll, now)) text = 'Closed';
  else if (poll.closes_at) text = `Open: ${timeLeft(poll, now)} left`;
  else text = moderator ? 'Open until you close it' : 'Open';
  const kind = `${poll.multiple ? 'Several answers' : 'One answer'} · ${poll.anonymous ? 'Anonymous' : 'Named'}`;
  return (
    <p className="poll-status">
      <span className="badge" data-open={isOpen(poll, now)}>
        {text}
      </span>{' '}
      <span className="muted">{kind}</span>
    </p>
  );
}

function Results({ poll }) {
  if (!Array.isArray(poll.counts)) return null;
  const votes = poll.votes || 0;
  const most = Math.max(1, ...poll.counts);
  return (
    <div className="poll-results" data-votes={votes}>
      <ul>
        {poll.options.map((option, index) => {
          const count = poll.counts[index] || 0;
          const percent = votes ? Math.round((100 * count) / votes) : 0;
          return (
            <li key={index} className="poll-result" data-count={count}>
              <span className="poll-option">{option}</span>
              <span className="poll-count">
                {count} ({percent}%)
              </span>
              <span className="poll-bar" aria-hidden="true">
                <span style={{ width: `${(100 * count) / most}%` }} />
              </span>
            </li>
          );
        })}
      </ul>
      <p className="poll-votes muted">
        {votes === 1 ? '1 student answered' : `${votes} students answered`}
      </p>
    </div>
  );
}

function HostPoll({ poll, now, actions, say }) {
  const open = isOpen(poll, now);
  const run = (promise) => promise.catch((err) => say(err.message));
  // the box follows the click at once; the server's answer (or its push) settles it
  const [shown, setShown] = useState(!!poll.results_shown);
  useEffect(() => setShown(!!poll.results_shown), [poll.results_shown]);
  return (
    <li className="poll" data-poll={poll.id} aria-labelledby={`poll-${poll.id}-q`}>
      <h3 id={`poll-${poll.id}-q`} className="poll-question">
        {poll.question}
      </h3>
      <Status poll={poll} now={now} moderator />
      <Results poll={poll} />
      {poll.ballots && poll.ballots.length > 0 && (
        <details className="poll-ballots">
          <summary>Who answered what</summary>
          <ul>
            {poll.ballots.map((ballot, index) => (
              <li key={index}>
                {ballot.name || 'A student'}: {ballot.choices.map((c) => poll.options[c]).join(', ')}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="poll-actions">
        <label className="checkbox">
          <input
            type="checkbox"
            className="poll-show-results"
            checked={shown}
            onChange={(e) => {
              const wanted = e.target.checked;
              setShown(wanted);
              run(actions.showResults(poll.id, wanted).catch((err) => {
                setShown(!wanted);
                throw err;
              }));
            }}
          />{' '}
          Show the results to students
        </label>
        {open && (
          <button type="button" className="btn btn-small poll-close" onClick={() => run(actions.close(poll.id))}>
            Close the poll
          </button>
        )}
      </div>
    </li>
  );
}

function StudentPoll({ poll, now, actions }) {
  const open = isOpen(poll, now);
  const [picked, setPicked] = useState(() => poll.my_choices || []);
  const [error, setError] = useState('');
  const mine = poll.my_choices;
  const name = `poll-${poll.id}-choice`;
  const mineKey = mine ? mine.join(',') : '';
  useEffect(() => {
    if (mineKey) setPicked(mineKey.split(',').map(Number));
  }, [mineKey]);

  async function submit(event) {
    event.preventDefault();
    try {
      await actions.vote(poll.id, picked);
      setError('');
    } catch (err) {
      setError(err.message);
    }
  }
  function pick(index, checked) {
    if (!poll.multiple) setPicked([index]);
    else setPicked((previous) => (checked ? [...previous, index].sort() : previous.filter((i) => i !== index)));
  }

  return (
    <li className="poll" data-poll={poll.id}>
      <form className="poll-vote" onSubmit={submit}>
        <fieldset disabled={!open}>
          <legend className="poll-question">{poll.question}</legend>
          <Status poll={poll} now={now} />
          {poll.options.map((option, index) => (
            <label key={index} className="checkbox poll-choice">
              <input
                type={poll.multiple ? 'checkbox' : 'radio'}
                name={name}
                value={index}
                checked={picked.includes(index)}
                onChange={(e) => pick(index, e.target.checked)}
              />{' '}
              {option}
            </label>
          ))}
          {open && (
            <button type="submit" className="btn btn-primary btn-small poll-submit" disabled={!picked.length}>
              {mine ? 'Change my answer' : 'Answer'}
            </button>
          )}
        </fieldset>
      </form>
      {mine && (
        <p className="poll-mine" role="status">
          Your answer: {mine.map((c) => poll.options[c]).join(', ')}.
          {open ? ' You can change it until the poll closes.' : ''}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      <Results poll={poll} />
    </li>
  );
}

function PollForm({ actions }) {
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState(['', '']);
  const [multiple, setMultiple] = useState(false);
  const [anonymous, setAnonymous] = useState(false);
  const [timer, setTimer] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const body = {
      question: question.trim(),
      options: options.map((o) => o.trim()).filter(Boolean),
      multiple,
      anonymous,
      duration_seconds: timer || null,
    };
    if (!body.question) return setError('Write the question.');
    if (body.options.length < 2) return setError('Give at least two options.');
    setBusy(true);
    try {
      await actions.ask(body);
      setQuestion('');
      setOptions(['', '']);
      setError('');
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form id="poll-form" className="poll-form" onSubmit={submit}>
      <label htmlFor="poll-question">Question</label>
      <input id="poll-question" type="text" maxLength={200} autoComplete="off" value={question} onChange={(e) => setQuestion(e.target.value)} />
      <fieldset className="poll-options">
        <legend>Options (2 to {MAX_OPTIONS})</legend>
        {options.map((option, index) => (
          <div key={index} className="poll-option-row">
            <label htmlFor={`poll-option-${index}`} className="visually-hidden">
              Option {index + 1}
            </label>
            <input
              id={`poll-option-${index}`}
              type="text"
              maxLength={200}
              autoComplete="off"
              placeholder={`Option ${index + 1}`}
              value={option}
              onChange={(e) => setOptions(options.map((o, i) => (i === index ? e.target.value : o)))}
            />
            {options.length > 2 && (
              <button
                type="button"
                className="btn btn-small btn-ghost"
                aria-label={`Remove option ${index + 1}`}
                onClick={() => setOptions(options.filter((_, i) => i !== index))}
              >
                ✕
              </button>
            )}
          </div>
        ))}
        {options.length < MAX_OPTIONS && (
          <button id="poll-add-option" type="button" className="btn btn-small" onClick={() => setOptions([...options, ''])}>
            Add an option
          </button>
        )}
      </fieldset>
      <fieldset className="choice">
        <legend>Answers</legend>
        <label className="checkbox">
          <input type="radio" name="poll-multiple" checked={!multiple} onChange={() => setMultiple(false)} /> One answer
        </label>
        <label className="checkbox">
          <input id="poll-multiple" type="radio" name="poll-multiple" checked={multiple} onChange={() => setMultiple(true)} /> Several
          answers
        </label>
      </fieldset>
      <fieldset className="choice">
        <legend>Names</legend>
        <label className="checkbox">
          <input type="radio" name="poll-anonymous" checked={!anonymous} onChange={() => setAnonymous(false)} /> Named (you see who
          answered what)
        </label>
        <label className="checkbox">
          <input id="poll-anonymous" type="radio" name="poll-anonymous" checked={anonymous} onChange={() => setAnonymous(true)} />{' '}
          Anonymous
        </label>
      </fieldset>
      <label htmlFor="poll-timer">Open for</label>
      <select id="poll-timer" value={timer} onChange={(e) => setTimer(Number(e.target.value))}>
        {TIMERS.map(([seconds, label]) => (
          <option key={seconds} value={seconds}>
            {label}
          </option>
        ))}
      </select>
      <button id="poll-ask" type="submit" className="btn btn-primary" disabled={busy}>
        Ask the room
      </button>
      {error && (
        <p id="poll-error" className="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/** The drawer's Polls panel: the form and live results for hosts, the ballot for students. */
export function PollsPanel({ active, moderator, polls, actions, now, say }) {
  return (
    <section id="polls-panel" className="panel polls-panel" aria-labelledby="polls-heading" hidden={!active}>
      <h2 id="polls-heading">Polls</h2>
      {moderator && (
        <details className="poll-new" open={polls.length === 0}>
          <summary>New poll</summary>
          <PollForm actions={actions} />
        </details>
      )}
      {polls.length === 0 && <p className="muted">{moderator ? 'No polls in this lecture yet.' : 'No polls yet.'}</p>}
      <ol id="poll-list" className="poll-list">
        {polls.map((poll) =>
          moderator ? (
            <HostPoll key={poll.id} poll={poll} now={now} actions={actions} say={say} />
          ) : (
            <StudentPoll key={poll.id} poll={poll} now={now} actions={actions} />
          ),
        )}
      </ol>
    </section>
  );
}
