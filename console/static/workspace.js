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
