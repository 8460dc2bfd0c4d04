// Loa Xã panel: the only script. Refreshes the live parts of a page (an element with
// data-refresh="URL" data-seconds="N") with the server's fresh HTML for that part.
// Without it, every page still works; it only stops being live.
"use strict";

document.querySelectorAll("[data-refresh]").forEach(function (part) {
  var seconds = Number(part.dataset.seconds) || 5;
  function refresh() {
    if (document.hidden) return; // a phone in a pocket costs the box nothing
    fetch(part.dataset.refresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        // The session ended (a redirect to the login page): show that page.
        if (answer.redirected) { window.location.reload(); return null; }
        if (!answer.ok) return null; // a passing fault: keep what is shown
        return answer.text();
      })
      .then(function (html) { if (html !== null) part.innerHTML = html; })
      .catch(function () { /* the box is out of reach: keep what is shown, try again */ });
  }
  window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
});
