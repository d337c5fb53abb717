// The attempt page: save each answer as it changes (with retries), keep the timer, and make
// the submit button work once. Without this script the page still works as a plain form.
"use strict";

(() => {
  const form = document.getElementById("attempt-form");
  if (!form) return;
  const status = document.getElementById("save-status");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const pending = new Map(); // position -> timer
  const RETRY_MS = [1000, 2000, 5000, 10000, 20000];

  function say(text, kind) {
    status.textContent = text;
    status.dataset.state = kind;
  }

  function fieldsOf(section) {
    const data = new FormData();
    data.append("csrf_token", csrf);
    data.append("position", section.dataset.position);
    data.append("revision", section.dataset.revision);
    section.querySelectorAll("input, select, textarea").forEach((el) => {
      if (!el.name || el.name === "positions" || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      data.append(el.name, el.value);
    });
    return data;
  }

  async function save(section, attempt = 0) {
    const note = section.querySelector(".question-status");
    say("Saving…", "saving");
    let response;
    try {
      response = await fetch(form.dataset.saveUrl, {
        method: "POST", body: fieldsOf(section), credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
      });
    } catch (err) {
      return retry(section, attempt, "Not saved: the connection dropped. Retrying…");
    }
    let data = {};
    try { data = await response.json(); } catch (err) { /* a proxy error page */ }
    if (response.ok && data.ok) {
      const overwrote = data.overwrote_other;
      section.dataset.revision = data.revision;
      const at = new Date(data.saved_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      say(`All answers saved (last at ${at}).`, "saved");
      note.textContent = overwrote
        ? "This answer had also been changed in another tab or device; the answer shown here is now the saved one."
        : `Saved at ${at}.`;
      markNavigator(section);
      return;
    }
    if (response.status === 409 && data.closed) {
      say(data.error, "closed");
      window.location.assign(data.redirect);
      return;
    }
    if (response.status >= 500 || response.status === 429 || response.status === 0) {
      return retry(section, attempt, "Not saved yet: the server is busy. Retrying…");
    }
    say(data.error || "This answer could not be saved.", "error");
    note.textContent = data.error || "Not saved.";
  }

  function retry(section, attempt, message) {
    say(message, "retrying");
    const delay = RETRY_MS[Math.min(attempt, RETRY_MS.length - 1)];
    schedule(section, delay, attempt + 1);
  }

  function schedule(section, delay, attempt = 0) {
    const key = section.dataset.position;
    clearTimeout(pending.get(key));
    pending.set(key, setTimeout(() => { pending.delete(key); save(section, attempt); }, delay));
  }

  function markNavigator(section) {
    const button = document.querySelector(`[data-nav="${section.dataset.position}"]`);
    if (!button) return;
    const answered = Array.from(section.querySelectorAll("input, select, textarea")).some((el) => {
      if (el.type === "hidden" || el.name.endsWith("-flag")) return false;
      return (el.type === "checkbox" || el.type === "radio") ? el.checked : el.value !== "";
    });
    const flagged = section.querySelector("input[type=checkbox][name$='-flag']").checked;
    button.classList.toggle("answered", answered);
    button.classList.toggle("flagged", flagged);
  }

  form.addEventListener("change", (event) => {
    const section = event.target.closest(".attempt-question");
    if (section) schedule(section, 0);
  });
  form.addEventListener("input", (event) => {
    const section = event.target.closest(".attempt-question");
    if (section && (event.target.tagName === "TEXTAREA" || event.target.type === "text")) {
      schedule(section, 800);
    }
  });
  window.addEventListener("online", () => {
    document.querySelectorAll(".attempt-question").forEach((s) => { if (pending.has(s.dataset.position)) schedule(s, 0); });
  });
  window.addEventListener("beforeunload", (event) => {
    if (pending.size) { event.preventDefault(); event.returnValue = ""; }
  });

  // Timer: counts down to the server's deadline, corrected for this device's clock.
  const box = document.getElementById("timer-box");
  const text = document.getElementById("timer-text");
  const warning = document.getElementById("timer-warning");
  const announce = document.getElementById("timer-announce");
  const toggle = document.getElementById("timer-toggle");
  const skew = new Date(box.dataset.now).getTime() - Date.now();
  const deadline = new Date(box.dataset.deadline).getTime();
  const spoken = new Set();
  const MARKS = [10, 5, 1];

  function tick() {
    const left = Math.max(0, deadline - (Date.now() + skew));
    const minutes = Math.floor(left / 60000);
    const seconds = Math.floor((left % 60000) / 1000);
    const hours = Math.floor(minutes / 60);
    text.textContent = hours >= 1 ? `${hours} h ${minutes % 60} min` : `${minutes}:${String(seconds).padStart(2, "0")}`;
    for (const mark of MARKS) {
      if (left <= mark * 60000 && left > (mark * 60000 - 60000) && !spoken.has(mark)) {
        spoken.add(mark);
        announce.textContent = `${mark} minute${mark === 1 ? "" : "s"} left.`;
        if (mark === 5) {
          warning.hidden = false;
          warning.textContent = "5 minutes left. Your answers are saved; submit when you are ready.";
        }
      }
    }
    if (left === 0) {
      clearInterval(handle);
      say("Time is up. Submitting your saved answers…", "closed");
      const submit = document.createElement("form");
      submit.method = "post";
      submit.action = form.dataset.submitUrl;
      submit.innerHTML = `<input type="hidden" name="csrf_token" value="${csrf}">` +
        '<input type="hidden" name="reason" value="time">';
      document.body.appendChild(submit);
      setTimeout(() => submit.submit(), pending.size ? 1500 : 0);
    }
  }
  let handle = null;
  if (box.dataset.timed === "yes") {
    toggle.hidden = false;
    toggle.addEventListener("click", () => {
      const hide = text.hidden = !text.hidden;
      toggle.textContent = hide ? "Show timer" : "Hide timer";
    });
    tick();
    handle = setInterval(tick, 1000);
  }
  form.dataset.ready = "1"; // tests wait for this before typing
})();

// A submit button marked data-once sends its form once, whatever the clicking.
document.addEventListener("submit", (event) => {
  const button = event.target.querySelector("button[data-once]");
  if (!button) return;
  if (button.dataset.sent) { event.preventDefault(); return; }
  button.dataset.sent = "1";
  button.setAttribute("aria-disabled", "true");
});
