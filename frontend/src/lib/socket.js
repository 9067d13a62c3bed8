// The one reconnecting websocket of the page: JSON messages in, exponential back-off on close,
// stops for good after close(). The server re-sends the current state on every (re)connect.

export function openSocket(path, { onMessage, onOpen, onClose } = {}) {
  let socket = null;
  let delay = 500;
  let timer = null;
  let closed = false;

  function connect() {
    if (closed) return;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    socket = new WebSocket(`${scheme}://${location.host}${path}`);
    socket.onopen = () => {
      delay = 500;
      onOpen?.();
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === 'string') onMessage?.(message);
    };
    socket.onclose = () => {
      socket = null;
      onClose?.();
      if (closed) return;
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    };
  }

  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      if (socket) {
        socket.onclose = null;
        socket.close();
        socket = null;
      }
    },
  };
}
