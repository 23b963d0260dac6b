// Behaviour that used to be inline <script> and onclick=: the content security policy (script-src 'self')
// allows only static files. Loaded with `defer` from base.html.
(function () {
  "use strict";

  // WCAG 3.3.1: the error summary at the top of a form takes focus when the page shows it.
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();

  // <button data-print> prints the page (the S2 letter).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
