// Messages from the Lectern server to the page (chat, notices, "ended").
//
// Today they arrive as LiveKit data packets the server sends through the server API: such a packet
// carries no sender identity (the SFU stamps every participant's packet with the sender's identity,
// even one the page has not heard of yet). Anything with a sender is dropped here. Keep this the
// only place that knows the transport, so it can move to our own websocket.
import { RoomEvent } from 'livekit-client';

export const TOPICS = { chat: 'lectern.chat', notice: 'lectern.notice', ended: 'lectern.ended' };

/** Call handler(topic, message) for every server message on one of `topics`; returns an unsubscribe. */
export function onServerMessage(room, topics, handler) {
  const wanted = new Set(topics);
  const listener = (payload, participant, _kind, topic, _encryption, senderIdentity) => {
    if (!wanted.has(topic)) return;
    if (participant || senderIdentity) return; // a participant sent it: never a server message
    let message;
    try {
      message = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    if (message && typeof message === 'object') handler(topic, message);
  };
  room.on(RoomEvent.DataReceived, listener);
  return () => room.off(RoomEvent.DataReceived, listener);
}

/** A lecture page URL from a message, or '' unless it is exactly a same-origin /lectures/<id>/. */
export function safeLectureUrl(value) {
  if (typeof value !== 'string') return '';
  let url;
  try {
    url = new URL(value, location.origin);
  } catch {
    return '';
  }
  if (url.origin !== location.origin) return '';
  return /^\/lectures\/\d+\/$/.test(url.pathname) && !url.search && !url.hash ? url.pathname : '';
}
