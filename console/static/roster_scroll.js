/* An edit of the roster grid reloads the page (a POST, then a redirect back, perhaps by way
   of the confirmation page of a removal): the grid comes back where it was scrolled to
   instead of at the top. The position is kept for one return only, within this tab. */
(function () {
  "use strict";

  var KEY = "console.roster.scroll";
  var store = null;
  try {
    store = window.sessionStorage;
  } catch (ignored) { /* private mode: the page simply opens at the top */ }
  if (!store || !document.getElementById("roster-grid")) {
    return;
  }
  var saved = parseInt(store.getItem(KEY), 10);
  store.removeItem(KEY);
  if (!isNaN(saved)) {
    window.scrollTo(0, saved);
  }
  document.addEventListener("submit", function (event) {
    if (event.target.closest("#roster-grid")) {
      store.setItem(KEY, String(Math.round(window.scrollY)));
    }
  });
}());
