// The admin overview refreshes its health table every few seconds from /admin/health.json.
// Text only (textContent), never HTML: the details come from servers' error messages.
(function () {
  "use strict";
  var root = document.getElementById("health");
  if (!root) return;
  var EVERY_MS = 5000;

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
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
    var banner = document.getElementById("health-banner");
    banner.hidden = report.down.length === 0;
    document.getElementById("health-down").textContent = report.down.join(", ");
    document.getElementById("health-live").textContent = String(report.live_lectures);
    document.getElementById("health-participants").textContent =
      report.participants_now === null ? "unknown" : String(report.participants_now);
    var checked = document.getElementById("health-checked");
    checked.setAttribute("datetime", report.checked_at);
    checked.textContent = new Date(report.checked_at).toLocaleTimeString();
  }

  function refresh() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(render)
      .catch(function () {
        var banner = document.getElementById("health-banner");
        banner.hidden = false;
        document.getElementById("health-down").textContent = "the web server (the dashboard could not refresh)";
      })
      .finally(function () {
        window.setTimeout(refresh, EVERY_MS);
      });
  }

  window.setTimeout(refresh, EVERY_MS);
})();
