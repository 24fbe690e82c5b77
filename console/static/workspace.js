// Live pages of the console: a region with data-live (a Server-Sent Events stream) and
// data-fragment (its HTML, fetched through the usual role-checked view) is refreshed in
// place whenever the stream says something changed. The page title shows the count of cases
// waiting for a claim. No page data travels in the stream itself.
"use strict";

(function () {
  const regions = document.querySelectorAll("[data-live]");
  if (!regions.length || !window.EventSource) {
    return;
  }
  regions.forEach(function (region) {
    let timer = null;
    let running = false;
    let again = false;

    function retitle() {
      const counted = region.querySelector("[data-waiting]");
      if (counted && region.dataset.title) {
        const waiting = Number(counted.dataset.waiting);
        document.title = (waiting ? "(" + waiting + ") " : "") + region.dataset.title;
      }
    }

    async function refresh() {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const answer = await fetch(region.dataset.fragment, {
          credentials: "same-origin",
          headers: { Accept: "text/html" },
        });
        if (answer.ok) {
          region.innerHTML = await answer.text();
          retitle();
          region.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
        }
      } finally {
        running = false;
        if (again) {
          again = false;
          refresh();
        }
      }
    }

    const stream = new EventSource(region.dataset.live);
    stream.addEventListener("changed", function () {
      // Several changes in a burst (a claim edits cards and tells people): one fetch.
      clearTimeout(timer);
      timer = setTimeout(refresh, 80);
    });
    stream.addEventListener("open", function () {
      region.classList.add("connected");
    });
    retitle();
  });
})();

// Canned replies: the chosen one, already filled in by the server ({name} and the like),
// goes into the reply box at the cursor. Without JavaScript the picker stays hidden.
(function () {
  const picker = document.querySelector(".snippet-picker");
  const box = document.getElementById("reply-text");
  if (!picker || !box) {
    return;
  }
  picker.hidden = false;
  document.getElementById("insert-snippet").addEventListener("click", function () {
    const chosen = document.getElementById("snippet-pick").selectedOptions[0];
    if (!chosen) {
      return;
    }
    const text = chosen.dataset.text;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    box.value = box.value.slice(0, start) + text + box.value.slice(end);
    box.focus();
    box.selectionStart = box.selectionEnd = start + text.length;
  });
})();
