// Schedule calendar behaviour. A static file: the CSP allows no inline script or style attributes,
// so colours travel in data-color and are set here through the CSSOM (allowed by the CSP).
(function () {
  "use strict";

  var HEX = /^#[0-9a-fA-F]{3,8}$/;

  function paint(root) {
    (root || document).querySelectorAll("[data-color]").forEach(function (el) {
      var color = el.getAttribute("data-color");
      if (HEX.test(color)) { el.style.setProperty("--type-color", color); }
    });
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function announce(text, isError) {
    var live = document.getElementById("schedule-live");
    if (!live) { return; }
    live.textContent = text;
    live.className = isError ? "message error" : "visually-hidden";
  }

  function dialog() { return document.getElementById("schedule-dialog"); }

  // Open the dialog when a booking form or an appointment panel is loaded into it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "schedule-dialog-body") {
      var box = dialog();
      if (box && !box.open) { box.showModal(); }
      var first = target.querySelector("input[type=search], input:not([type=hidden]), select, button");
      if (first && !target.contains(document.activeElement)) { first.focus(); }
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) { paint(event.detail.target); });

  // Move an appointment: drop it on a free slot, or Alt+Up / Alt+Down by 15 minutes.
  function move(appointmentId, startIso, practitionerId) {
    var grid = document.getElementById("calendar");
    if (!grid) { return; }
    var url = grid.getAttribute("data-move-url").replace("/0/", "/" + appointmentId + "/");
    var body = new FormData();
    body.append("start", startIso);
    if (practitionerId) { body.append("practitioner", practitionerId); }
    fetch(url, {method: "POST", body: body, credentials: "same-origin",
                headers: {"X-CSRFToken": csrfToken(), "HX-Request": "true"}})
      .then(function (response) {
        return response.text().then(function (text) {
          if (response.ok) {
            announce(grid.getAttribute("data-moved-text") || "Moved.", false);
            if (window.htmx) { window.htmx.trigger(document.body, "schedule-changed"); } else { window.location.reload(); }
            return;
          }
          var holder = document.createElement("div");
          holder.innerHTML = text;
          var detail = holder.querySelector(".detail, .message, p");
          announce((detail ? detail.textContent : text).trim().slice(0, 300), true);
        });
      })
      .catch(function () { announce("The move could not be sent. Check the connection.", true); });
  }

  function isoPlusMinutes(iso, minutes) {
    var when = new Date(iso);
    when = new Date(when.getTime() + minutes * 60000);
    return when.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest && event.target.closest(".appt[draggable=true]");
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-appointment"));
  });
  document.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    document.querySelectorAll(".slot.drop-target").forEach(function (el) { el.classList.remove("drop-target"); });
  });
  document.addEventListener("dragover", function (event) {
    var slot = event.target.closest && event.target.closest(".slot");
    if (slot && dragged) { event.preventDefault(); slot.classList.add("drop-target"); }
  });
  document.addEventListener("dragleave", function (event) {
    var slot = event.target.closest && event.target.closest(".slot");
    if (slot) { slot.classList.remove("drop-target"); }
  });
  document.addEventListener("drop", function (event) {
    var slot = event.target.closest && event.target.closest(".slot");
    if (!slot || !dragged) { return; }
    event.preventDefault();
    move(dragged.getAttribute("data-appointment"), slot.getAttribute("data-start"),
         slot.getAttribute("data-practitioner"));
  });
  document.addEventListener("keydown", function (event) {
    var card = event.target.closest && event.target.closest(".appt[draggable=true]");
    if (!card || !event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) { return; }
    event.preventDefault();
    var minutes = event.key === "ArrowUp" ? -15 : 15;
    move(card.getAttribute("data-appointment"), isoPlusMinutes(card.getAttribute("data-start"), minutes),
         card.getAttribute("data-practitioner"));
  });

  // Keep keyboard focus on the moved appointment after the grid refreshes.
  var lastFocused = null;
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest && event.target.closest(".appt");
    if (card) { lastFocused = card.getAttribute("data-appointment"); }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "calendar" && lastFocused &&
        !(dialog() && dialog().open)) {
      var again = document.querySelector('.appt[data-appointment="' + lastFocused + '"]');
      if (again) { again.focus(); }
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { paint(document); });
  } else {
    paint(document);
  }
})();
