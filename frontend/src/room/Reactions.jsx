// Reactions: a small fixed set sent through our API (the sender is the session, the server limits
// the rate) and shown to everyone as a brief burst over the stage, without names. Students also
// find the "I'm lost" / "Slow down" pulses here: the hosts see only how many (Pulse.jsx).
import { useEffect, useRef, useState } from 'react';
import { onServerMessage, TOPICS } from '../lib/serverMessages.js';
import './engagement.css';

export const REACTIONS = [
  ['thumbs_up', '👍', 'Thumbs up'],
  ['clap', '👏', 'Applause'],
  ['heart', '❤️', 'Love it'],
  ['laugh', '😂', 'Laughing'],
  ['surprised', '😮', 'Surprised'],
];
const SYMBOL = Object.fromEntries(REACTIONS.map(([kind, symbol]) => [kind, symbol]));
const PULSES = [
  ['lost', "I'm lost"],
  ['slow_down', 'Slow down'],
];
const BURST_MS = 2500;
const MAX_ON_SCREEN = 30;

/** The control bar's React button and its menu of reactions (and pulses, for students). */
export function ReactButton({ rooms, student }) {
  const [open, setOpen] = useState(false);
  const [status, setStatus] = useState('');
  const wrapper = useRef(null);
  const toggle = useRef(null);

  useEffect(() => {
    if (!open) return undefined;
    const onKey = (event) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      toggle.current?.focus();
    };
    const onPointer = (event) => {
      if (!wrapper.current?.contains(event.target)) setOpen(false);
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, [open]);

  async function send(kind, label) {
    try {
      await rooms.post('/reactions', { kind });
      setStatus(PULSES.some(([k]) => k === kind) ? `Sent "${label}": the host sees how many, not who.` : '');
      if (!PULSES.some(([k]) => k === kind)) setOpen(false);
    } catch (err) {
      setStatus(err.message);
    }
  }

  return (
    <div className="reaction-wrapper" ref={wrapper}>
      <button
        id="toggle-reactions"
        ref={toggle}
        type="button"
        className="control"
        aria-expanded={open}
        aria-controls="reaction-menu"
        onClick={() => {
          setStatus('');
          setOpen(!open);
        }}
      >
        <span aria-hidden="true">☺</span>
        <span className="control-label">React</span>
      </button>
      <div id="reaction-menu" className="reaction-menu" role="group" aria-label="Reactions" hidden={!open}>
        <div className="reaction-row">
          {REACTIONS.map(([kind, symbol, label]) => (
            <button key={kind} type="button" className="reaction-choice" data-kind={kind} aria-label={label} title={label} onClick={() => send(kind, label)}>
              <span aria-hidden="true">{symbol}</span>
            </button>
          ))}
        </div>
        {student && (
          <div className="reaction-row pulse-row">
            {PULSES.map(([kind, label]) => (
              <button key={kind} type="button" className="btn btn-small pulse-choice" data-kind={kind} onClick={() => send(kind, label)}>
                {label}
              </button>
            ))}
          </div>
        )}
        <p className="reaction-status" role="status">
          {status}
        </p>
      </div>
    </div>
  );
}

/** Reactions rising over the stage for a moment; decorative, so hidden from screen readers. */
export function ReactionBurst({ room }) {
  const [bursts, setBursts] = useState([]);
  const [received, setReceived] = useState(0);
  const next = useRef(0);

  useEffect(() => {
    const timers = new Set();
    const stop = onServerMessage(room, [TOPICS.reaction], (_topic, message) => {
      if (!SYMBOL[message.kind]) return;
      const id = ++next.current;
      const left = 8 + ((id * 37) % 84); // spread over the stage without randomness
      setReceived((n) => n + 1);
      setBursts((all) => [...all.slice(-(MAX_ON_SCREEN - 1)), { id, kind: message.kind, left }]);
      const timer = setTimeout(() => {
        timers.delete(timer);
        setBursts((all) => all.filter((b) => b.id !== id));
      }, BURST_MS);
      timers.add(timer);
    });
    return () => {
      stop();
      timers.forEach(clearTimeout);
    };
  }, [room]);

  return (
    <div id="reaction-burst" className="reaction-burst" aria-hidden="true" data-received={received}>
      {bursts.map((burst) => (
        <span key={burst.id} className="burst" data-kind={burst.kind} style={{ left: `${burst.left}%` }}>
          {SYMBOL[burst.kind]}
        </span>
      ))}
    </div>
  );
}
