// The waiting-room kiosk: back to the start screen after data-idle-seconds (KIOSK_IDLE_SECONDS, 60) without a
// touch or key, and a few seconds after a patient checked in, so that the next patient never sees the previous
// one's visit. While a patient's visit is open (data-kiosk-alive), touches also tell the server, at most every
// quarter of the idle time, that the visit is still in use: the server ends it after the same idle time.
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home");
  if (!home) { return; }
  var idle = (parseInt(body.getAttribute("data-idle-seconds"), 10) || 60) * 1000;
  var aliveUrl = body.getAttribute("data-kiosk-alive");
  var tokenField = document.querySelector("input[name=token]");
  var csrfField = document.querySelector("input[name=csrfmiddlewaretoken]");
  var every = Math.max(1000, Math.floor(idle / 4));
  var timer = null;
  var lastSent = Date.now();
  var pending = null;
  var gone = false;

  function reset() {
    if (gone) { return; }
    gone = true;
    // Nothing of the patient stays on the screen while the start screen loads.
    var main = document.getElementById("main");
    if (main) { main.innerHTML = ""; }
    window.location.replace(home);
  }
  function arm(ms) { window.clearTimeout(timer); timer = window.setTimeout(reset, ms); }

  function send() {
    pending = null;
    if (gone || !aliveUrl || !tokenField || !csrfField || !window.fetch) { return; }
    lastSent = Date.now();
    var data = new URLSearchParams();
    data.append("token", tokenField.value);
    data.append("csrfmiddlewaretoken", csrfField.value);
    window.fetch(aliveUrl, { method: "POST", body: data, credentials: "same-origin" }).then(function (answer) {
      if (answer.status === 404) { reset(); }  // the visit has ended on the server
    }, function () { /* offline: the idle timer still resets the page */ });
  }
  function keepAlive() {
    if (!aliveUrl || pending !== null) { return; }
    pending = window.setTimeout(send, Math.max(0, lastSent + every - Date.now()));
  }

  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { arm(idle); keepAlive(); }, { passive: true });
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { reset(); }  // shown again from the back/forward cache: start over
  });
  arm(document.querySelector("[data-kiosk-done]") ? 8000 : idle);
})();
