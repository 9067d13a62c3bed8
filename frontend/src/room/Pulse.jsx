// The hosts' live gauge of "I'm lost" / "Slow down" pulses: how many students sent one in the last
// minute, never who. The server pushes the counts on each pulse (hosts' live group only); a minute
// after the last one every pulse has left the window, so the gauge falls back to zero by itself.
import { useEffect, useState } from 'react';
import { useRemoteParticipants } from '@livekit/components-react';
import { onServerMessage, TOPICS } from '../lib/serverMessages.js';
import './engagement.css';

const WINDOW_MS = 60_000;

function Gauge({ id, label, value, max }) {
  return (
    <span className="pulse-item" data-level={value === 0 ? 'none' : value * 5 >= max ? 'high' : 'some'}>
      <label htmlFor={id}>{label}</label>
      <meter id={id} min={0} max={max} low={Math.max(1, max / 10)} high={Math.max(2, max / 5)} optimum={0} value={value} />
      <span className="pulse-count" data-count={value}>
        {value}
      </span>
    </span>
  );
}

export function PulseGauge({ room }) {
  const [gauge, setGauge] = useState({ lost: 0, slow_down: 0 });
  const students = useRemoteParticipants().filter((p) => !p.isAgent).length;

  useEffect(() => {
    let timer = null;
    const stop = onServerMessage(room, [TOPICS.pulse], (_topic, message) => {
      const count = (value) => (Number.isInteger(value) && value >= 0 ? value : 0);
      setGauge({ lost: count(message.lost), slow_down: count(message.slow_down) });
      clearTimeout(timer);
      timer = setTimeout(() => setGauge({ lost: 0, slow_down: 0 }), WINDOW_MS);
    });
    return () => {
      stop();
      clearTimeout(timer);
    };
  }, [room]);

  const max = Math.max(5, students, gauge.lost, gauge.slow_down);
  return (
    <div id="pulse-gauge" className="pulse-gauge" role="group" aria-label="Students' pulse over the last minute (no names)">
      <Gauge id="pulse-lost" label="Lost" value={gauge.lost} max={max} />
      <Gauge id="pulse-slow" label="Slow down" value={gauge.slow_down} max={max} />
    </div>
  );
}
