// A drawn signature: pointer strokes on a canvas, kept as a PNG data URL in a hidden field.
// Loaded as a file: the CSP allows no inline script.
(function () {
  "use strict";
  function setUp(canvas) {
    var form = canvas.closest("form");
    var input = form.querySelector("[data-signature-input]");
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false, last = null;
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * canvas.width / box.width,
               y: (event.clientY - box.top) * canvas.height / box.height };
    }
    function save() {
      input.value = inked ? canvas.toDataURL("image/png") : "";
      var drawn = form.querySelector("input[name=signature_kind][value=drawn]");
      if (inked && drawn) { drawn.checked = true; }
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true; last = point(event); canvas.setPointerCapture(event.pointerId);
      ctx.beginPath(); ctx.arc(last.x, last.y, 1, 0, Math.PI * 2); ctx.fill(); inked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      var p = point(event);
      ctx.beginPath(); ctx.moveTo(last.x, last.y); ctx.lineTo(p.x, p.y); ctx.stroke();
      last = p; inked = true;
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (name) {
      canvas.addEventListener(name, function () { if (drawing) { drawing = false; save(); } });
    });
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) {
      clear.addEventListener("click", function () {
        ctx.clearRect(0, 0, canvas.width, canvas.height); inked = false; save();
      });
    }
    form.addEventListener("submit", save);
    canvas.dataset.signatureReady = "true";  // strokes are recorded from here on
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas.signature-canvas").forEach(setUp);
  });
})();
