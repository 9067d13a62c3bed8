// Messages from the Lectern server to the page: chat, notices, "the lecture ended".
//
// The page trusts our own websocket, /ws/rooms/<code>/live/ (it answers {"type": "live.ready"}, then
// {"type": "chat.message", "message"}, {"type": "chat.removed", "id"}, {"type": "notice", "text"}, {"type": "ended", "text",
// "lecture_url"?}, {"type": "poll.opened" | "poll.results" | "poll.closed", "poll"}, {"type": "reaction",
// "kind"}, to hosts {"type": "pulse", "lost", "slow_down"} and {"type": "captions.status", "unavailable",
// "text"}). Until that socket has said live.ready (a server without it), the older path is
// used: LiveKit data packets the server sends through its API, which carry no sender identity (the
// SFU stamps every participant's packet with its sender, even one the page has not heard of yet);
// anything with a sender is dropped. Once the socket is ready, LiveKit packets are ignored for good.
// This module is the only place that knows the transport; handlers get (topic, message).
import { RoomEvent } from 'livekit-client';
import { openSocket } from './socket.js';

export const TOPICS = {
  chat: 'lectern.chat',
  chatRemoved: 'lectern.chat.removed',
  notice: 'lectern.notice',
  ended: 'lectern.ended',
  recording: 'lectern.recording',
  poll: 'lectern.poll',
  reaction: 'lectern.reaction',
  pulse: 'lectern.pulse',
  captions: 'lectern.captions',
};

// Removed chat messages, polls, reactions, pulses, the captions status and (since the server stopped its
// LiveKit copy) the recording status come only over the live socket.
const SOCKET_ONLY = new Set([TOPICS.chatRemoved, TOPICS.recording, TOPICS.poll, TOPICS.reaction, TOPICS.pulse, TOPICS.captions]);

const channels = new WeakMap(); // Room -> channel
const AFTER_DISCONNECT_MS = 10000;

function channelFor(room) {
  let channel = channels.get(room);
  if (!channel) {
    channel = { handlers: new Set(), socketReady: false, socket: null, code: '' };
    channels.set(room, channel);
    room.on(RoomEvent.DataReceived, (payload, participant, _kind, topic, _encryption, senderIdentity) => {
      if (channel.socketReady || SOCKET_ONLY.has(topic) || !Object.values(TOPICS).includes(topic)) return;
      if (participant || senderIdentity) return; // a participant sent it: never a server message
      let message;
      try {
        message = JSON.parse(new TextDecoder().decode(payload));
      } catch {
        return;
      }
      if (message && typeof message === 'object') deliver(channel, topic, message);
    });
  }
  return channel;
}

function deliver(channel, topic, message) {
  for (const { topics, handler } of channel.handlers) if (topics.has(topic)) handler(topic, message);
}

function onSocketMessage(channel, message) {
  if (message.type === 'live.ready') channel.socketReady = true;
  else if (message.type === 'chat.message' && message.message) deliver(channel, TOPICS.chat, message.message);
  else if (message.type === 'chat.removed') deliver(channel, TOPICS.chatRemoved, message);
  else if (message.type === 'notice') deliver(channel, TOPICS.notice, message);
  else if (message.type === 'ended') deliver(channel, TOPICS.ended, message);
  else if (message.type === 'recording.status') deliver(channel, TOPICS.recording, message);
  else if (message.type.startsWith('poll.') && message.poll) deliver(channel, TOPICS.poll, message);
  else if (message.type === 'reaction') deliver(channel, TOPICS.reaction, message);
  else if (message.type === 'pulse') deliver(channel, TOPICS.pulse, message);
  else if (message.type === 'captions.status') deliver(channel, TOPICS.captions, message);
}

/** Open the live socket of room `code` while `room` is connected (call once per page). */
export function setupServerMessages(room, code) {
  const channel = channelFor(room);
  channel.code = code;
  let closing = null;
  const open = () => {
    clearTimeout(closing);
    if (channel.socket) return;
    channel.socket = openSocket(`/ws/rooms/${encodeURIComponent(code)}/live/`, {
      onMessage: (message) => onSocketMessage(channel, message),
    });
  };
  const close = () => {
    clearTimeout(closing);
    channel.socket?.close();
    channel.socket = null;
  };
  // The server says "ended" on the socket just before it deletes the LiveKit room, and the room's
  // disconnect can overtake that message: the socket stays open a little after the call is down.
  const closeSoon = () => {
    clearTimeout(closing);
    closing = setTimeout(close, AFTER_DISCONNECT_MS);
  };
  room.on(RoomEvent.Connected, open);
  room.on(RoomEvent.Disconnected, closeSoon);
  return () => {
    room.off(RoomEvent.Connected, open);
    room.off(RoomEvent.Disconnected, closeSoon);
    close();
  };
}

/** Call handler(topic, message) for every server message on one of `topics`; returns an unsubscribe. */
export function onServerMessage(room, topics, handler) {
  const channel = channelFor(room);
  const entry = { topics: new Set(topics), handler };
  channel.handlers.add(entry);
  return () => channel.handlers.delete(entry);
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
