// What a host must not miss: the waiting room and the raised hands, live over the host socket,
// with a toast, an optional chime, a count in the tab title and a screen-reader announcement.
import { useEffect, useRef, useState } from 'react';
import { openSocket } from '../lib/socket.js';

const CHIME_KEY = 'lectern.chime';

export function chimeEnabled() {
  try {
    return localStorage.getItem(CHIME_KEY) === 'on';
  } catch {
    return false;
  }
}

export function setChimeEnabled(on) {
  try {
    localStorage.setItem(CHIME_KEY, on ? 'on' : 'off');
  } catch {
    // private browsing
  }
}

let audioContext = null;
function chime() {
  if (!chimeEnabled()) return;
  try {
    audioContext = audioContext || new AudioContext();
    const oscillator = audioContext.createOscillator();
    const gain = audioContext.createGain();
    oscillator.frequency.value = 880;
    gain.gain.setValueAtTime(0.08, audioContext.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.0001, audioContext.currentTime + 0.4);
    oscillator.connect(gain).connect(audioContext.destination);
    oscillator.start();
    oscillator.stop(audioContext.currentTime + 0.4);
  } catch {
    // no audio output: the toast is enough
  }
}

/** Host side: {waiting, hands, warning, pinPaused} kept live; notify(kind, item) is called for each new one. */
export function useHostFeed({ enabled, code, notify }) {
  const [waiting, setWaiting] = useState([]);
  const [hands, setHands] = useState([]);
  const [warning, setWarning] = useState('');
  const [pinPaused, setPinPaused] = useState(false);
  const pinPausedRef = useRef(false);
  const seenEntries = useRef(new Set());
  const seenHands = useRef(new Set());
  const notifyRef = useRef(notify);
  notifyRef.current = notify;

  useEffect(() => {
    if (!enabled) return undefined;
    const byId = new Map();
    const publish = () => setWaiting([...byId.values()]);
    const announceEntry = (entry) => {
      if (seenEntries.current.has(entry.id)) return;
      seenEntries.current.add(entry.id);
      chime();
      notifyRef.current?.('knock', entry);
    };
    const socket = openSocket(`/ws/rooms/${encodeURIComponent(code)}/host/`, {
      onMessage: (message) => {
        if (message.type === 'lobby.snapshot') {
          byId.clear();
          for (const entry of message.waiting || []) {
            byId.set(entry.id, entry);
            announceEntry(entry);
          }
          publish();
        } else if (message.type === 'lobby.knock' && message.entry) {
          byId.set(message.entry.id, message.entry);
          announceEntry(message.entry);
          publish();
        } else if (message.type === 'lobby.decided') {
          for (const id of message.ids || []) byId.delete(id);
          publish();
        } else if (message.type === 'security.pin_paused') {
          setWarning(message.message || '');
          setPinPaused(true);
          if (!pinPausedRef.current) notifyRef.current?.('pin_paused', message);
          pinPausedRef.current = true;
        } else if (message.type === 'security.pin_resumed') {
          setWarning('');
          setPinPaused(false);
          pinPausedRef.current = false;
          notifyRef.current?.('pin_resumed', message);
        } else if (message.type === 'hands.changed') {
          const list = message.hands || [];
          const now = new Set(list.map((hand) => hand.identity));
          for (const hand of list) {
            if (!seenHands.current.has(hand.identity)) {
              chime();
              notifyRef.current?.('hand', hand);
            }
          }
          seenHands.current = now;
          setHands(list);
        }
      },
    });
    return () => socket.close();
  }, [enabled, code]);

  return { waiting, hands, warning, pinPaused };
}
