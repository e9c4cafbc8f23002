/* Webcare: keyboard shortcuts, live counters and undo countdowns. No inline handlers, no eval. */
(function () {
  "use strict";

  var selectedId = null;
  var focusWasInList = false;

  function typing(element) {
    if (!element) { return false; }
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("[data-row]")); }

  function select(row, focus) {
    rows().forEach(function (other) { other.classList.remove("selected"); other.removeAttribute("aria-current"); });
    if (!row) { selectedId = null; return; }
    row.classList.add("selected");
    row.setAttribute("aria-current", "true");
    selectedId = row.getAttribute("data-id");
    if (focus) {
      var link = row.querySelector("[data-open]");
      if (link) { link.focus(); }
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function selectedRow() {
    var all = rows();
    for (var i = 0; i < all.length; i++) {
      if (all[i].getAttribute("data-id") === selectedId) { return all[i]; }
    }
    return null;
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(selectedRow());
    var next = index < 0 ? 0 : Math.min(all.length - 1, Math.max(0, index + step));
    select(all[next], true);
  }

  function click(selector) {
    var element = document.querySelector(selector);
    if (element) { element.click(); return true; }
    return false;
  }

  function focusField(selector) {
    var element = document.querySelector(selector);
    if (!element) { return false; }
    var panel = element.closest("details");
    if (panel) { panel.open = true; }
    element.focus();
    element.scrollIntoView({ block: "center" });
    return true;
  }

  function openShortcuts() {
    var dialog = document.getElementById("shortcuts");
    if (dialog && !dialog.open) { dialog.showModal(); }
  }

  function onKey(event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && target.tagName === "TEXTAREA" && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.key === "Enter" && target.tagName === "SELECT" && target.form && target.form.hasAttribute("data-submit-on-enter")) {
      event.preventDefault();
      target.form.requestSubmit();
      return;
    }
    if (event.key === "Escape" && typing(target)) { target.blur(); return; }
    if (typing(target) || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) { return; }
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "Enter": {
        var row = selectedRow();
        if (row && (target === document.body || target.id === "main")) { row.querySelector("[data-open]").click(); } else { handled = false; }
        break;
      }
      case "c": {
        var current = selectedRow();
        handled = current && current.querySelector("[data-claim]") ? (current.querySelector("[data-claim]").click(), true) : click("[data-shortcut='c']");
        break;
      }
      case "n": handled = click("[data-shortcut='n']"); break;
      case "r": handled = focusField("[data-shortcut='r']"); break;
      case "p": handled = focusField("[data-shortcut='p']"); break;
      case "e": handled = focusField("[data-shortcut='e']"); break;
      case "u": handled = click("[data-shortcut='u']"); break;
      case "?": openShortcuts(); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  }

  function updateCounter(textarea) {
    var output = document.querySelector("[data-counter-for='" + textarea.id + "']");
    if (!output || !window.WebcareLength) { return; }
    var limit = parseInt(textarea.getAttribute("data-limit"), 10);
    var weighted = textarea.getAttribute("data-weighted") === "true";
    var length = window.WebcareLength.answerLength(textarea.value, textarea.getAttribute("data-signature") || "", weighted);
    output.textContent = length + " / " + limit;
    output.classList.toggle("over", length > limit);
    output.setAttribute("data-length", String(length));
  }

  function startCountdown(element) {
    if (element.hasAttribute("data-counting")) { return; }
    element.setAttribute("data-counting", "");
    var ends = Date.now() + parseInt(element.getAttribute("data-countdown"), 10) * 1000;
    var seconds = element.querySelector("[data-seconds]");
    var timer = window.setInterval(function () {
      var left = Math.max(0, Math.ceil((ends - Date.now()) / 1000));
      if (seconds) { seconds.textContent = String(left); }
      if (left <= 0) {
        window.clearInterval(timer);
        element.textContent = element.getAttribute("data-done-text");
        var footer = element.parentElement;
        var undo = footer ? footer.querySelector("[data-undo]") : null;
        if (undo) { undo.remove(); }
      }
    }, 250);
  }

  function init(root) {
    root.querySelectorAll("textarea[data-limit]").forEach(updateCounter);
    root.querySelectorAll("[data-countdown]").forEach(startCountdown);
    if (rows().length && (root === document || root.id === "queue-region")) {
      // After a live refresh the same mention stays selected, and keeps the focus if it had it.
      select(selectedRow() || rows()[0], focusWasInList);
      focusWasInList = false;
    }
  }

  document.addEventListener("keydown", onKey);
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-limit]")) { updateCounter(event.target); }
  });
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.hasAttribute("data-autosubmit")) { form.requestSubmit(); }
  });
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-shortcuts]");
    if (opener) { openShortcuts(); return; }
    var panelLink = event.target.closest("[data-open-panel]");
    if (panelLink) {
      event.preventDefault();
      focusField("#" + panelLink.getAttribute("data-open-panel") + " textarea");
    }
    var row = event.target.closest("[data-row]");
    if (row) { select(row, false); }
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    focusWasInList = !!(target && target.id === "queue-region" && target.contains(document.activeElement) && document.activeElement !== document.body);
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    // htmx puts the focus back into the field with the same id; after a successful send
    // the agent's next key is a shortcut (e to close), not more text.
    var source = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (event.detail.xhr && event.detail.xhr.status === 200 && source && source.hasAttribute && source.hasAttribute("data-composer")) {
      if (document.activeElement && typing(document.activeElement)) { document.activeElement.blur(); }
    }
  });
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { init(event.detail.elt); });
})();
