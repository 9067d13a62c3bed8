// Chat: history from our API, live messages only from the server (serverMessages.js), sending
// through our API; hosts and co-hosts remove a message (everyone's page drops it on the server's
// "chat.removed"). Text goes into the page as text, never as HTML.
import { useEffect, useRef, useState } from 'react';
import { RoomEvent } from 'livekit-client';
import { onServerMessage, TOPICS } from '../../lib/serverMessages.js';

export function Chat({ room, rooms, isHost, moderator, active, onUnread }) {
  const [messages, setMessages] = useState([]);
  const [text, setText] = useState('');
  const [toHosts, setToHosts] = useState(false);
  const [error, setError] = useState('');
  const seen = useRef(new Set());
  const list = useRef(null);
  const activeRef = useRef(active);
  activeRef.current = active;

  function add(incoming, { live }) {
    const fresh = incoming.filter((m) => m && m.id != null && !seen.current.has(m.id));
    if (!fresh.length) return;
    for (const m of fresh) seen.current.add(m.id);
    setMessages((previous) => [...previous, ...fresh]);
    if (live && !activeRef.current) onUnread?.(fresh.length);
  }

  useEffect(() => {
    const load = () =>
      rooms
        .get('/chat')
        .then((history) => Array.isArray(history) && add(history, { live: false }))
        .catch(() => {});
    if (room.state === 'connected') load();
    room.on(RoomEvent.Connected, load);
    const stop = onServerMessage(room, [TOPICS.chat], (_topic, message) => add([message], { live: true }));
    const stopRemoved = onServerMessage(room, [TOPICS.chatRemoved], (_topic, message) => drop(message.id));
    return () => {
      room.off(RoomEvent.Connected, load);
      stop();
      stopRemoved();
    };
    // add() only touches refs and setters
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [room, rooms]);

  function drop(id) {
    setMessages((previous) => previous.filter((m) => m.id !== id));
  }

  async function remove(message) {
    try {
      await rooms.remove(`/chat/${encodeURIComponent(message.id)}`);
      setError('');
      drop(message.id);
    } catch (err) {
      if (err.status === 404) drop(message.id); // removed already (by another host)
      else setError(err.message);
    }
  }

  useEffect(() => {
    if (list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages, active]);

  async function send(event) {
    event.preventDefault();
    const body = { text: text.trim() };
    if (!body.text) return;
    if (toHosts) body.to = 'hosts';
    try {
      const message = await rooms.post('/chat', body);
      setError('');
      setText('');
      add([message], { live: false });
    } catch (err) {
      setError(err.message);
    }
  }

  return (
    <section id="chat-panel" className="panel chat-panel" aria-labelledby="chat-heading" hidden={!active}>
      <h2 id="chat-heading">Chat</h2>
      <ol id="chat-messages" ref={list} className="chat-messages" aria-live="polite">
        {messages.map((m) => (
          <li key={m.id} className={`chat-message${m.private ? ' private' : ''}`} data-id={m.id}>
            <span className="chat-sender">{m.sender}</span>
            {m.sender_role && m.sender_role !== 'guest' && (
              <span className="badge">{m.sender_role === 'host' ? 'Host' : 'Co-host'}</span>
            )}
            {m.private && <span className="badge">to hosts</span>}
            <time className="chat-time muted" dateTime={m.created_at}>
              {new Date(m.created_at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            </time>
            <p className="chat-text">{m.text}</p>
            {moderator && (
              <button
                type="button"
                className="btn btn-small chat-remove"
                aria-label={`Remove the message from ${m.sender}`}
                onClick={() => remove(m)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ol>
      {messages.length === 0 && <p className="muted">No messages yet.</p>}
      <form id="chat-form" className="chat-form" onSubmit={send}>
        <label htmlFor="chat-text" className="visually-hidden">
          Message
        </label>
        <input
          id="chat-text"
          type="text"
          maxLength={2000}
          placeholder="Write a message"
          autoComplete="off"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <button type="submit" className="btn btn-primary">
          Send
        </button>
        {!isHost && (
          <label className="checkbox">
            <input id="chat-private" type="checkbox" checked={toHosts} onChange={(e) => setToHosts(e.target.checked)} /> only to
            the hosts
          </label>
        )}
      </form>
      {error && (
        <p id="chat-error" className="form-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
