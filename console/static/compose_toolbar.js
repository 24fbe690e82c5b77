/* The compose page's formatting toolbar: wraps the selected text of the body in Telegram's
   <b>, <i> or <a href="https://..."> and tells the preview, so nobody has to type HTML.
   The server checks the result again and refuses any other tag. */
(function () {
  "use strict";

  var toolbar = document.getElementById("format-toolbar");
  var body = document.getElementById("field-body");
  if (!toolbar || !body) {
    return;
  }
  var address = document.getElementById("toolbar-link");
  var problem = document.getElementById("toolbar-error");
  var WEB = /^https?:\/\/[^\s"'<>]+$/i;

  var escapeAttribute = function (value) {
    return value.replace(/&/g, "&amp;").replace(/"/g, "&quot;");
  };

  var wrap = function (open, close) {
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var chosen = body.value.slice(start, end);
    body.setRangeText(open + chosen + close, start, end, "select");
    // Keep the selection on the words themselves, so a second tag can wrap them too.
    body.setSelectionRange(start + open.length, start + open.length + chosen.length);
    body.focus();
    body.dispatchEvent(new Event("input", {bubbles: true}));
  };

  var apply = function (tag) {
    problem.hidden = true;
    if (tag !== "a") {
      wrap("<" + tag + ">", "</" + tag + ">");
      return;
    }
    var url = address.value.trim();
    if (!WEB.test(url)) {
      problem.textContent = address.dataset.refused;
      problem.hidden = false;
      address.focus();
      return;
    }
    wrap('<a href="' + escapeAttribute(url) + '">', "</a>");
    address.value = "";
  };

  toolbar.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-tag]");
    if (button) {
      apply(button.dataset.tag);
    }
  });
  body.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey) {
      var key = event.key.toLowerCase();
      if (key === "b" || key === "i") {
        event.preventDefault();
        apply(key);
      }
    }
  });
  toolbar.hidden = false;
}());

/* A photo chosen for the announcement shows above the preview at once, read in the
   browser; nothing is uploaded until the form is reviewed. */
(function () {
  "use strict";

  var input = document.getElementById("field-photo");
  var shown = document.getElementById("preview-photo");
  if (!input || !shown || !window.FileReader) {
    return;
  }
  var kept = shown.getAttribute("src");
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file || !/^image\/(jpeg|png)$/.test(file.type)) {
      if (kept) {
        shown.src = kept;
      } else {
        shown.removeAttribute("src");
        shown.hidden = true;
      }
      return;
    }
    var reader = new FileReader();
    reader.addEventListener("load", function () {
      shown.src = reader.result;
      shown.hidden = false;
    });
    reader.readAsDataURL(file);
  });
}());
