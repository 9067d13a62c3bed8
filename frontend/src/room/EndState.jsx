// One calm full-page state after the call (or the door) closed, with the next step.
import { useEffect, useRef } from 'react';

const TEXT = {
  left: { title: 'You left the lecture', detail: '' },
  removed: { title: 'You were removed from the lecture by the host', detail: 'You cannot rejoin this lecture.' },
  ended: { title: 'The lecture has ended', detail: 'Thank you for taking part.' },
  duplicate: { title: 'You joined from another tab or device', detail: 'This window was disconnected.' },
  lost: { title: 'Connection to the video server was lost', detail: 'Check your network, then rejoin.' },
  unreachable: { title: 'Could not join the lecture', detail: '' },
  rejected: { title: "The host didn't let you into this lecture.", detail: '' },
};

export function EndState({ config, end, onRejoin }) {
  const kind = end?.kind || 'left';
  const text = TEXT[kind] || TEXT.lost;
  const heading = useRef(null);
  const isHost = config.role === 'host';
  useEffect(() => {
    heading.current?.focus();
    document.title = `${text.title} · Lectern`;
  }, [text.title]);

  const canRejoin = ['left', 'duplicate', 'lost', 'unreachable'].includes(kind) || (kind === 'ended' && isHost);
  const rejoinLabel = kind === 'ended' ? 'Start a new lecture in this room' : kind === 'unreachable' ? 'Try again' : 'Rejoin';
  return (
    <section id="end-state" className="end-state card" data-kind={kind} aria-labelledby="end-title">
      <h1 id="end-title" ref={heading} tabIndex={-1}>
        {text.title}
      </h1>
      {end?.detail && <p className="muted">{end.detail}</p>}
      {text.detail && <p>{text.detail}</p>}
      {end?.message && (
        <p id="join-reject-message" className="host-message">
          {end.message}
        </p>
      )}
      <div className="end-actions">
        {end?.lectureUrl && (
          <a id="open-lecture" className="btn btn-primary" href={end.lectureUrl}>
            Open the lecture page
          </a>
        )}
        {canRejoin && (
          <button id="rejoin" type="button" className={end?.lectureUrl ? 'btn' : 'btn btn-primary'} onClick={onRejoin}>
            {rejoinLabel}
          </button>
        )}
        <a id="go-home" className="btn" href={isHost ? '/' : '/'}>
          {isHost ? 'Back to your rooms' : 'Lectern home'}
        </a>
      </div>
    </section>
  );
}
