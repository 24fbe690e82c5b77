/* The roster grid on a phone: one day at a time, picked with the buttons above the grid
   (the choice survives the page reload after each change). At desktop width every column
   shows; CSS only hides the cells marked "off" below 760 px. */
(function () {
  "use strict";

  var grid = document.getElementById("roster-grid");
  var picker = document.getElementById("day-picker");
  if (!grid || !picker) {
    return;
  }
  var KEY = "console.roster.day";
  var buttons = Array.prototype.slice.call(picker.querySelectorAll("button[data-day]"));

  var choose = function (day) {
    buttons.forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.day === day));
    });
    grid.querySelectorAll("td.cell").forEach(function (cell) {
      cell.classList.toggle("off", cell.dataset.day !== day);
    });
    try {
      window.sessionStorage.setItem(KEY, day);
    } catch (ignored) { /* private mode: the choice lasts this page only */ }
  };

  var remembered = null;
  try {
    remembered = window.sessionStorage.getItem(KEY);
  } catch (ignored) { /* see above */ }
  var known = function (day) {
    return buttons.some(function (button) { return button.dataset.day === day; });
  };
  // A refused edit re-opens its own cell's day; else the last day chosen; else today, as
  // the bureau's clock (Asia/Shanghai) has it rather than the browser's.
  var first = [grid.dataset.openDay, remembered, grid.dataset.today].filter(known)[0];

  buttons.forEach(function (button) {
    button.addEventListener("click", function () { choose(button.dataset.day); });
  });
  picker.hidden = false;
  choose(first || buttons[0].dataset.day);
}());
