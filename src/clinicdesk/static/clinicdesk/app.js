// Clinicdesk shell behaviour. Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // "/" jumps to the global patient search from anywhere except a text field.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
                            target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var box = document.getElementById("global-search-input");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
    if (event.key === "Escape") {
      var popup = document.getElementById("global-search-results");
      if (popup) { popup.innerHTML = ""; }
    }
  });

  // Let htmx swap our clear error answers (409, 422) into the page instead of ignoring them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422 || status === 403) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // After the idle limit the server signs the user out; reload then so no patient data stays on screen.
  var idle = parseInt(document.body.getAttribute("data-idle-seconds") || "0", 10);
  if (idle > 0 && document.querySelector(".topbar")) {
    var timer;
    var reset = function () {
      clearTimeout(timer);
      timer = setTimeout(function () { window.location.reload(); }, (idle + 5) * 1000);
    };
    ["keydown", "mousedown", "touchstart"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true });
    });
    document.addEventListener("htmx:afterRequest", reset);
    reset();
  }

  // A form marked data-confirm asks first (deactivating a record, reversing a ledger line).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Busy state, no double submits. A POST form that is not htmx's: the first submit marks the form and its
  // submit button busy (aria-busy, disabled once the browser has taken the button's name and value); a second
  // submit before the answer arrives is dropped. The data-confirm handler above runs first (capture phase):
  // a cancelled question never marks anything busy.
  var BUSY_SAFETY_MS = 15000;  // an answer that does not replace the page (a download) frees the form again
  var isHtmx = function (el) {
    return !!(el && el.closest && el.closest("[hx-post],[hx-get],[hx-put],[hx-patch],[hx-delete],[hx-boost='true']"));
  };
  var setBusy = function (button, busy) {
    if (!button) { return; }
    if (busy) {
      button.setAttribute("aria-busy", "true");
      button.disabled = true;
    } else {
      button.removeAttribute("aria-busy");
      if (button.hasAttribute("data-busy-disabled")) { button.disabled = false; }
    }
    if (busy) { button.setAttribute("data-busy-disabled", ""); } else { button.removeAttribute("data-busy-disabled"); }
  };
  var release = function (form) {
    if (!form) { return; }
    delete form.dataset.busy;
    form.querySelectorAll("[data-busy-disabled]").forEach(function (b) { setBusy(b, false); });
    if (form.id) {
      document.querySelectorAll("[form='" + form.id + "'][data-busy-disabled]").forEach(function (b) { setBusy(b, false); });
    }
  };
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || form.tagName !== "FORM") { return; }
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" || form.hasAttribute("target") ||
        form.hasAttribute("data-no-busy") || isHtmx(form)) { return; }
    if (form.dataset.busy) { event.preventDefault(); return; }
    form.dataset.busy = "1";
    var button = event.submitter || form.querySelector("button[type=submit], button:not([type]), input[type=submit]");
    if (button && button.form !== form) { button = null; }
    setTimeout(function () { setBusy(button, true); }, 0);
    setTimeout(function () { release(form); }, BUSY_SAFETY_MS);
  });
  // Back to a page from the browser's cache: nothing is being sent any more.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { document.querySelectorAll("form[data-busy]").forEach(release); }
  });

  // htmx requests: the button that sent it (or the element itself when it is a button) is busy until the answer.
  var requester = function (event) {
    var elt = event.detail && event.detail.elt;
    var trigger = event.detail && event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (trigger && trigger.submitter) { return trigger.submitter; }
    if (elt && elt.tagName === "BUTTON") { return elt; }
    if (elt && elt.tagName === "FORM" && trigger && trigger.type === "submit") {
      return elt.querySelector("button[type=submit], button:not([type])");
    }
    return null;
  };
  document.addEventListener("htmx:beforeRequest", function (event) {
    var button = requester(event);
    if (button && !button.disabled) {
      setBusy(button, true);
      event.detail.elt.__clinicdeskBusy = button;
    }
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.__clinicdeskBusy) {
      setBusy(elt.__clinicdeskBusy, false);
      elt.__clinicdeskBusy = null;
    }
  });

  // Dialogs (components/dialog.html): a [data-dialog-open] button opens its <dialog>; with hx-get, htmx fills
  // the body first and the dialog opens after the swap.
  document.addEventListener("click", function (event) {
    var opener = event.target.closest && event.target.closest("[data-dialog-open]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-dialog-open"));
      if (dialog && !opener.hasAttribute("hx-get") && !dialog.open) { dialog.showModal(); }
    }
    var closer = event.target.closest && event.target.closest("[data-dialog-close]");
    if (closer && closer.closest("dialog")) { closer.closest("dialog").close(); }
    var dismiss = event.target.closest && event.target.closest("[data-dismiss]");
    if (dismiss && dismiss.closest(".message")) { dismiss.closest(".message").remove(); }
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    var dialog = target && target.closest && target.closest("dialog.dialog");
    if (dialog && !dialog.open) { dialog.showModal(); }
  });

  // A select marked data-autosubmit (the location switcher) sends its form when it changes.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select && select.hasAttribute && select.hasAttribute("data-autosubmit") && select.form) {
      if (select.form.requestSubmit) { select.form.requestSubmit(); } else { select.form.submit(); }
    }
  });
})();
