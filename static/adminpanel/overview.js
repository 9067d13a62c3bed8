// The admin overview re-renders its numbers from the snapshots /ws/admin/overview/ pushes
// (one on connect, one every few seconds, one at once when a lecture or recording changes).
// Text only (textContent), never HTML: the details come from servers' error messages.
(function () {
  "use strict";
  var root = document.getElementById("health");
  if (!root) return;
  var retryMs = 1000;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  function render(report) {
    var body = document.getElementById("health-parts");
    body.replaceChildren();
    report.parts.forEach(function (part) {
      var tr = document.createElement("tr");
      cell(tr, part.name);
      var state = cell(tr, part.ok ? "up" : "");
      if (!part.ok) {
        var strong = document.createElement("strong");
        strong.textContent = "down";
        state.appendChild(strong);
      }
      cell(tr, part.detail);
      cell(tr, part.latency_ms === null ? "" : part.latency_ms + " ms");
      body.appendChild(tr);
    });
    document.getElementById("health-banner").hidden = report.down.length === 0;
    setText("health-down", report.down.join(", "));
    setText("health-live", String(report.live_lectures));
    setText("health-participants", report.participants_now === null ? "unknown" : String(report.participants_now));
    setText("health-captions", String(report.captions_running));
    setText("health-recordings", String(report.recordings_running));
    var checked = document.getElementById("health-checked");
    checked.setAttribute("datetime", report.checked_at);
    checked.textContent = new Date(report.checked_at).toLocaleTimeString();
    root.dataset.live = "yes";
  }

  function renderRooms(rooms) {
    var body = document.getElementById("live-rooms");
    body.replaceChildren();
    if (rooms.length === 0) {
      var empty = document.createElement("tr");
      cell(empty, "No lecture is live right now.").colSpan = 4;
      empty.firstChild.className = "muted";
      body.appendChild(empty);
      return;
    }
    rooms.forEach(function (room) {
      var tr = document.createElement("tr");
      var name = cell(tr, "");
      var link = document.createElement("a");
      link.href = room.url;
      link.textContent = room.title;
      var code = document.createElement("code");
      code.textContent = room.code;
      name.append(link, " ", code);
      var host = cell(tr, room.host + " ");
      var email = document.createElement("span");
      email.className = "muted";
      email.textContent = room.host_email;
      host.appendChild(email);
      var state = cell(tr, "");
      if (room.state.indexOf("stale") === 0) {
        var strong = document.createElement("strong");
        strong.textContent = "stale";
        state.append(strong, room.state.slice("stale".length));
      } else {
        state.textContent = room.state;
      }
      cell(tr, room.connected === null ? "?" : String(room.connected));
      body.appendChild(tr);
    });
  }

  function lost() {
    document.getElementById("health-banner").hidden = false;
    setText("health-down", "the live connection to the web server (reconnecting)");
    root.dataset.live = "no";
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + root.dataset.socket);
    socket.addEventListener("message", function (event) {
      var message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      if (message.type === "overview.snapshot") {
        retryMs = 1000;
        render(message.overview);
        renderRooms(message.overview.live_rooms || []);
      }
    });
    socket.addEventListener("close", function (event) {
      lost();
      if (event.code === 4403) return; // no longer an admin: reload to be sent to the login page
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30000);
    });
  }

  connect();
})();
