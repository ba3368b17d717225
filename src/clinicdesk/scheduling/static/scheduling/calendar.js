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

  // Density: compact or comfortable, remembered per browser (localStorage) or chosen by ?density=.
  var DENSITY_KEY = "clinicdesk.schedule.density";
  function density(choice) {
    var wanted = choice;
    if (!wanted) {
      var asked = new URLSearchParams(window.location.search).get("density");
      try { wanted = asked || window.localStorage.getItem(DENSITY_KEY); } catch (e) { wanted = asked; }
    }
    if (wanted !== "comfortable") { wanted = "compact"; }
    document.querySelectorAll(".cal-wrap").forEach(function (wrap) { wrap.setAttribute("data-density", wanted); });
    document.querySelectorAll(".density button[data-density]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-density") === wanted ? "true" : "false");
    });
    if (choice) { try { window.localStorage.setItem(DENSITY_KEY, wanted); } catch (e) { /* private mode */ } }
    nowLine();
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".density button[data-density]");
    if (button) { density(button.getAttribute("data-density")); }
  });

  // The "now" line across today's columns (and a label in the time column), moved every minute.
  function localNow(tz) {
    var parts = {};
    new Intl.DateTimeFormat("en-CA", {timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit",
                                      hour: "2-digit", minute: "2-digit", hourCycle: "h23"})
      .formatToParts(new Date()).forEach(function (p) { parts[p.type] = p.value; });
    return {day: parts.year + "-" + parts.month + "-" + parts.day,
            minutes: parseInt(parts.hour, 10) * 60 + parseInt(parts.minute, 10),
            text: parts.hour + ":" + parts.minute};
  }
  function nowLine() {
    var grid = document.getElementById("calendar");
    document.querySelectorAll(".now-line, .now-label").forEach(function (el) { el.remove(); });
    if (!grid || !grid.getAttribute("data-tz")) { return; }
    var now;
    try { now = localNow(grid.getAttribute("data-tz")); } catch (e) { return; }
    var rows = parseInt(grid.getAttribute("data-rows"), 10);
    var row = (now.minutes - parseInt(grid.getAttribute("data-top"), 10)) / 5;
    if (!(row >= 0 && row < rows)) { return; }
    var today = grid.querySelectorAll('.cal-col[data-day="' + now.day + '"] .cal-body');
    if (!today.length) { return; }
    var times = grid.querySelector(".cal-times .cal-body");
    var height = today[0].getBoundingClientRect().height / rows;
    today.forEach(function (body) {
      var line = document.createElement("div");
      line.className = "now-line";
      line.setAttribute("aria-hidden", "true");
      line.style.top = (row * height) + "px";
      body.appendChild(line);
    });
    if (times) {
      var label = document.createElement("div");
      label.className = "now-label";
      label.setAttribute("aria-hidden", "true");
      label.textContent = now.text;
      label.style.top = (row * height) + "px";
      times.appendChild(label);
    }
  }
  setInterval(nowLine, 60000);
  document.addEventListener("htmx:afterSettle", function (event) {
    if (event.detail.target && event.detail.target.id === "calendar") { nowLine(); }
  });

  // The whole appointment in a card on hover or keyboard focus (a short one shows only its name).
  var card = null, shownFor = null;
  function showCard(appt) {
    shownFor = appt;
    if (!card) {
      card = document.createElement("div");
      card.className = "appt-card";
      card.setAttribute("role", "tooltip");
      card.id = "appt-card";
      card.hidden = true;
      document.body.appendChild(card);
    }
    card.textContent = "";
    appt.querySelectorAll(".appt-who, .appt-time, .appt-what").forEach(function (part, i) {
      var line = document.createElement(i === 0 ? "strong" : "span");
      line.textContent = part.textContent.trim();
      card.appendChild(line);
    });
    card.hidden = false;
    var box = appt.getBoundingClientRect();
    var left = Math.min(box.right + 6, window.innerWidth - card.offsetWidth - 8);
    if (left < box.right && box.left - card.offsetWidth - 6 > 0) { left = box.left - card.offsetWidth - 6; }
    card.style.left = Math.max(8, left) + "px";
    card.style.top = Math.max(8, Math.min(box.top, window.innerHeight - card.offsetHeight - 8)) + "px";
  }
  function hideCard() { if (card) { card.hidden = true; } shownFor = null; }
  document.addEventListener("mouseover", function (event) {
    var appt = event.target.closest && event.target.closest("#calendar .appt");
    if (appt) { showCard(appt); } else { hideCard(); }
  });
  document.addEventListener("focusin", function (event) {
    var appt = event.target.closest && event.target.closest("#calendar .appt");
    if (appt) { showCard(appt); } else { hideCard(); }
  });
  document.addEventListener("focusout", hideCard);
  document.addEventListener("scroll", function () {
    if (shownFor && document.contains(shownFor)) { showCard(shownFor); } else { hideCard(); }
  }, true);
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { hideCard(); } });
  document.addEventListener("dragstart", hideCard);

  // On today, open the grid at the present: the "now" line a third of the way down (once the styles are in).
  function scrollToNow() {
    nowLine();
    var line = document.querySelector("#calendar .now-line"), grid = document.getElementById("calendar");
    if (line && grid) {
      var offset = line.getBoundingClientRect().top - grid.getBoundingClientRect().top + grid.scrollTop;
      grid.scrollTop = Math.max(0, offset - grid.clientHeight / 3);
    }
  }
  window.addEventListener("load", scrollToNow);

  function start() {
    paint(document);
    density(null);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
