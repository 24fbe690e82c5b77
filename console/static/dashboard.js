/* The dashboard's live part: waiting and open cases and the broadcasts under way, refreshed
   every 2 s from /console/dashboard/live.json. Without it the page shows the figures of
   when it was loaded. */
(function () {
  "use strict";

  var list = document.getElementById("broadcast-list");
  if (!list) {
    return;
  }

  var setFigure = function (id, value) {
    var figure = document.querySelector("#" + id + " .value");
    if (figure) {
      figure.textContent = String(value);
    }
  };

  // One list item as the server renders it: the title linking to the announcement, the
  // bar, and the line of figures (already in the viewer's language).
  var item = function (broadcast) {
    var li = document.createElement("li");
    li.dataset.broadcast = String(broadcast.id);
    var link = document.createElement("a");
    link.href = broadcast.url;
    var title = document.createElement("strong");
    title.textContent = broadcast.title;
    link.appendChild(title);
    var bar = document.createElement("progress");
    bar.max = Math.max(broadcast.total, 1);
    bar.value = broadcast.done;
    var line = document.createElement("span");
    line.className = "muted";
    line.textContent = broadcast.line;
    li.append(link, document.createElement("br"), bar, document.createElement("br"), line);
    return li;
  };

  var show = function (data) {
    setFigure("figure-waiting", data.waiting);
    setFigure("figure-open", data.open);
    setFigure("figure-broadcasts", data.broadcasts.length);
    list.replaceChildren.apply(list, data.broadcasts.map(item));
    document.getElementById("no-broadcasts").hidden = data.broadcasts.length > 0;
    var scheduled = document.getElementById("scheduled-line");
    scheduled.textContent = data.scheduled;
    scheduled.hidden = !data.scheduled;
  };

  // Polls are requests, and requests keep a session alive: a dashboard left open at an
  // empty desk stops asking after 15 minutes without a key press or a mouse move, so the
  // session can end as one left alone should (8 hours idle). Any interaction resumes it.
  var IDLE_MS = 15 * 60 * 1000;
  var lastActive = Date.now();
  var waiting = false;  // true while no poll is scheduled because the viewer is away
  var resume = function () {
    lastActive = Date.now();
    if (waiting) {
      waiting = false;
      poll();
    }
  };
  ["keydown", "pointerdown", "pointermove", "scroll", "focus"].forEach(function (name) {
    window.addEventListener(name, resume, { passive: true });
  });
  var next = function () {
    if (document.hidden || Date.now() - lastActive > IDLE_MS) {
      waiting = true;
      return;
    }
    window.setTimeout(poll, 2000);
  };
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) {
      resume();
    }
  });

  var poll = function () {
    fetch(list.dataset.liveUrl, {
      headers: { "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      // Signed out meanwhile: stop asking; the next click shows the sign-in page.
      if (response.status === 401 || response.status === 403) {
        return Promise.reject("stop");
      }
      return response.ok ? response.json() : Promise.reject(response.status);
    }).then(function (data) {
      show(data);
      next();
    }).catch(function (reason) {
      if (reason !== "stop") {
        next();
      }
    });
  };
  window.setTimeout(poll, 2000);
}());
