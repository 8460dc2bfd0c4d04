// Loa Xã panel: the only script. Without it every page still works, except that the
// live parts stop being live and a clip cannot be uploaded.
"use strict";

// Live parts (an element with data-refresh="URL" data-seconds="N") are replaced by the
// server's fresh HTML for that part, until a part says it is final (data-final: a
// job's verdict). The same HTML twice is not put in again, so a button being pressed
// (a job's question) is not swapped under the finger.
document.querySelectorAll("[data-refresh]").forEach(function (part) {
  var seconds = Number(part.dataset.seconds) || 5;
  var shown = null;
  var timer = null;
  function refresh() {
    if (document.hidden) return; // a phone in a pocket costs the box nothing
    fetch(part.dataset.refresh, { credentials: "same-origin", cache: "no-store" })
      .then(function (answer) {
        // The session ended (a redirect to the login page): show that page.
        if (answer.redirected) { window.location.reload(); return null; }
        if (!answer.ok) return null; // a passing fault: keep what is shown
        return answer.text();
      })
      .then(function (html) {
        if (html === null || html === shown) return;
        shown = html;
        part.innerHTML = html;
        if (part.querySelector("[data-final]")) window.clearInterval(timer);
      })
      .catch(function () { /* the box is out of reach: keep what is shown, try again */ });
  }
  if (part.querySelector("[data-final]")) return;
  timer = window.setInterval(refresh, seconds * 1000);
  document.addEventListener("visibilitychange", refresh);
});

// An upload (form[data-upload]): the file goes as the request's body, the CSRF token
// in a header, name, title and language in the address; a bar shows the bytes sent,
// then the job's page shows the import. The server answers JSON: {job} or {error}.
document.querySelectorAll("form[data-upload]").forEach(function (form) {
  var bar = form.querySelector("progress");
  var state = form.querySelector("[role=status]");
  var button = form.querySelector("button");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.elements.file.files[0];
    if (!file) return;
    var query = new URLSearchParams({
      tep: file.name, ten: form.elements.title.value, tieng: form.elements.language.value
    });
    var request = new XMLHttpRequest();
    request.open("POST", form.action + "?" + query.toString());
    request.setRequestHeader("X-CSRF-Token", form.elements.csrf.value);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.upload.onprogress = function (sent) {
      if (sent.lengthComputable) bar.value = Math.round(100 * sent.loaded / sent.total);
    };
    request.onload = function () {
      var answer = null;
      try { answer = JSON.parse(request.responseText); } catch (e) { /* an HTML page */ }
      if (answer && answer.job) { window.location.assign(answer.job); return; }
      fail(answer && answer.error ? answer.error
        : request.status === 413 ? form.dataset.tooBig : form.dataset.failed);
    };
    request.onerror = function () { fail(form.dataset.failed); };
    function fail(text) {
      state.textContent = text;
      state.classList.add("error");
      button.disabled = false;
      bar.hidden = true;
    }
    bar.hidden = false;
    bar.value = 0;
    state.textContent = form.dataset.sending;
    state.classList.remove("error");
    button.disabled = true;
    request.send(file);
  });
});
