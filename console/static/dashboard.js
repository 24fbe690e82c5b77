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
      window.setTimeout(poll, 2000);
    }).catch(function (reason) {
      if (reason !== "stop") {
        window.setTimeout(poll, 2000);
      }
    });
  };
  window.setTimeout(poll, 2000);
}());
