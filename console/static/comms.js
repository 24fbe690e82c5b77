/* The announcement, training and idea pages: a live preview while composing, a broadcast's
   figures refreshed every 2 s, and forms that go once. Every page works without it. */
(function () {
  "use strict";

  // A second press while the first request is on its way sends nothing more.
  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
    });
  });

  var compose = document.getElementById("compose-form");
  if (compose) {
    var csrf = compose.querySelector("input[name=csrf]").value;
    var topic = document.getElementById("field-topic");
    var project = document.getElementById("project-fields");
    var sequence = 0;
    var timer = null;

    var showProjectFields = function () {
      var chosen = topic.options[topic.selectedIndex];
      project.hidden = !(chosen && chosen.hasAttribute("data-has-kinds"));
    };

    var refresh = function () {
      var mine = ++sequence;
      var fields = new FormData(compose);
      // The preview needs the text only: a chosen file is uploaded once, on review.
      ["photo", "document"].forEach(function (name) {
        var chosen = compose.querySelector("input[type=file][name=" + name + "]");
        if (chosen && chosen.files.length) {
          fields.set("attaching", "1");  // the text becomes a caption: a shorter limit
        }
        fields.delete(name);
      });
      fetch(compose.dataset.previewUrl, {
        method: "POST",
        body: fields,
        headers: { "X-CSRF-Token": csrf, "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      }).then(function (data) {
        if (mine !== sequence) {
          return;  // an older answer arriving late
        }
        // Server-rendered, filtered to Telegram's own tags (see page_parts.telegram_preview).
        document.getElementById("preview").innerHTML = data.html;
        var link = document.getElementById("preview-link");
        link.textContent = data.link_label;
        link.hidden = !data.link_label;
        document.getElementById("audience-count").textContent = String(data.count);
        var tooLong = document.getElementById("preview-too-long");
        tooLong.textContent = data.too_long;
        tooLong.hidden = !data.too_long;
      }).catch(function () { /* the next keystroke tries again */ });
    };

    var soon = function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 250);
    };

    compose.addEventListener("input", soon);
    compose.addEventListener("change", soon);
    document.getElementById("preview-locale").addEventListener("change", soon);
    topic.addEventListener("change", showProjectFields);
    showProjectFields();
    refresh();
  }

  var progress = document.getElementById("progress");
  if (progress && progress.dataset.finished !== "true") {
    var poll = function () {
      fetch(progress.dataset.progressUrl, {
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.ok ? response.json() : Promise.reject(response.status);
      }).then(function (data) {
        progress.querySelectorAll("[data-figure]").forEach(function (figure) {
          figure.textContent = String(data[figure.dataset.figure]);
        });
        var state = document.getElementById("progress-state");
        state.textContent = data.state_label;
        state.dataset.state = data.state;
        state.className = "state state-" + data.state;
        var bar = document.getElementById("progress-bar");
        bar.max = data.total || 1;
        bar.value = data.total - data.remaining;
        var rate = document.getElementById("progress-rate");
        rate.textContent = data.rate_line;
        rate.hidden = !data.rate_line;
        var cancel = document.getElementById("cancel-box");
        if (cancel && !data.cancellable) {
          cancel.remove();
        }
        if (data.finished) {
          progress.dataset.finished = "true";
          return;
        }
        window.setTimeout(poll, 2000);
      }).catch(function () {
        window.setTimeout(poll, 2000);
      });
    };
    window.setTimeout(poll, 2000);
  }
}());
