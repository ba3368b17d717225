// The waiting-room kiosk: back to the start screen after 60 s without a touch or key, and a few seconds after a
// patient checked in, so that the next patient never sees the previous one's visit.
(function () {
  "use strict";
  var body = document.body;
  var home = body.getAttribute("data-kiosk-home");
  if (!home) { return; }
  var idle = (parseInt(body.getAttribute("data-idle-seconds"), 10) || 60) * 1000;
  var timer = null;
  function reset() { window.location.replace(home); }
  function arm(ms) { window.clearTimeout(timer); timer = window.setTimeout(reset, ms); }
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { arm(idle); }, { passive: true });
  });
  arm(document.querySelector("[data-kiosk-done]") ? 8000 : idle);
})();
