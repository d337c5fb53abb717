// The attempt page: every answer goes into a journal in this browser's storage before it is
// sent, and is sent (in order, with retries) until the server acknowledges it; keep the timer;
// make the submit button work once. Without this script the page still works as a plain form.
"use strict";

(() => {
  const form = document.getElementById("attempt-form");
  if (!form) return;
  const status = document.getElementById("save-status");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  const RETRY_MS = [1000, 2000, 5000, 10000, 20000];
  const TYPING_MS = 800;

  // Where storage is off (some private windows), the journal lives in memory: answers are still
  // sent in order with retries, they just do not survive a reload.
  function memoryStore() {
    const items = new Map();
    return {
      get length() { return items.size; },
      key: (i) => Array.from(items.keys())[i] || null,
      getItem: (k) => (items.has(k) ? items.get(k) : null),
      setItem: (k, v) => { items.set(k, String(v)); },
      removeItem: (k) => { items.delete(k); },
    };
  }
  function storageWorks() {
    try { localStorage.setItem("studyapp.probe", "1"); localStorage.removeItem("studyapp.probe"); return true; } catch (err) { return false; }
  }
  const persistent = storageWorks();
  const store = persistent ? localStorage : memoryStore();

  // The journal: one stored entry per question of this attempt, holding its fields, the server
  // revision the answer was typed over, and an order number. It survives a reload, a crashed
  // tab or a flat battery, and is removed once the server has the answer.
  const spill = memoryStore(); // entries that did not fit in a full storage
  const journal = {
    prefix: `studyapp.journal.${form.dataset.attempt}.`,
    put(position, entry) {
      const key = this.prefix + position, text = JSON.stringify(entry);
      try { store.setItem(key, text); spill.removeItem(key); } catch (err) { spill.setItem(key, text); }
    },
    get(position) {
      const key = this.prefix + position;
      try { return JSON.parse(spill.getItem(key) || store.getItem(key)); } catch (err) { return null; }
    },
    drop(position, seq) {
      const held = this.get(position);
      if (held && (seq === undefined || held.seq === seq)) {
        store.removeItem(this.prefix + position);
        spill.removeItem(this.prefix + position);
      }
    },
    all() {
      const positions = new Set();
      [store, spill].forEach((where) => {
        for (let i = 0; i < where.length; i += 1) {
          const key = where.key(i);
          if (key && key.startsWith(this.prefix)) positions.add(key.slice(this.prefix.length));
        }
      });
      return Array.from(positions, (p) => this.get(p)).filter(Boolean).sort((a, b) => a.seq - b.seq);
    },
    clear() { this.all().forEach((e) => this.drop(e.position)); },
  };
  let nextSeq = Math.max(Date.now(), ...journal.all().map((e) => e.seq + 1));

  let offline = !navigator.onLine;
  let timeUp = false;
  let retryTimer = null;
  let retries = 0;
  let typingTimer = null;
  let running = null;

  function say(text, kind) {
    status.textContent = text;
    status.dataset.state = kind;
  }

  function sectionAt(position) {
    return form.querySelector(`.attempt-question[data-position="${position}"]`);
  }

  function fieldsOf(section) {
    const fields = [];
    section.querySelectorAll("input, select, textarea").forEach((el) => {
      if (!el.name || el.name === "positions" || el.disabled) return;
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      fields.push([el.name, el.value]);
    });
    return fields;
  }

  function restore(section, fields) {
    const values = new Map();
    fields.forEach(([name, value]) => { values.set(name, [...(values.get(name) || []), value]); });
    section.querySelectorAll("input, select, textarea").forEach((el) => {
      if (!el.name || el.name === "positions" || el.type === "hidden") return;
      const given = values.get(el.name) || [];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = given.includes(el.value);
      } else if (given.length) {
        el.value = given.shift();
      }
    });
  }

  function record(section, replay = false) {
    const position = section.dataset.position;
    const prior = journal.get(position);
    journal.put(position, {
      position, seq: nextSeq++, revision: section.dataset.revision, fields: fieldsOf(section), replay,
      sent: prior ? prior.sent : undefined,
    });
  }

  function waiting() {
    const count = journal.all().length;
    return `${count} answer${count === 1 ? "" : "s"} waiting`;
  }

  function showOffline() {
    say(`Offline — ${waiting()}. They are kept on this device and sent when the connection returns.`, "offline");
  }

  async function send(entry) {
    const data = new FormData();
    data.append("csrf_token", csrf);
    data.append("position", entry.position);
    data.append("revision", entry.revision);
    if (entry.replay) data.append("journal", "1");
    entry.fields.forEach(([name, value]) => data.append(name, value));
    // What this page sent last without hearing back: if the server holds that, it is ours.
    const own = `q${entry.position}`;
    (entry.sent || []).forEach(([name, value]) => {
      if (name.startsWith(own) && !name.endsWith("-flag")) data.append(`was${entry.position}${name.slice(own.length)}`, value);
    });
    let response;
    try {
      response = await fetch(form.dataset.saveUrl, {
        method: "POST", body: data, credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": csrf },
      });
    } catch (err) {
      return "offline";
    }
    let reply = {};
    try { reply = await response.json(); } catch (err) { /* a proxy error page */ }
    const section = sectionAt(entry.position);
    const note = section ? section.querySelector(".question-status") : null;
    if (response.ok && reply.ok) {
      journal.drop(entry.position, entry.seq);
      if (section) {
        section.dataset.revision = reply.revision;
        // Answers typed over the old revision while this one was on its way stay in line.
        const later = journal.get(entry.position);
        if (later && later.revision === entry.revision) journal.put(entry.position, { ...later, revision: String(reply.revision), sent: undefined });
        const at = new Date(reply.saved_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
        note.textContent = reply.overwrote_other
          ? "This answer had also been changed in another tab or device; the answer shown here is now the saved one."
          : `Saved at ${at}.`;
        markNavigator(section);
      }
      return "saved";
    }
    if (response.status === 409 && reply.stale) {
      journal.drop(entry.position, entry.seq);
      if (note) note.textContent = `${reply.error} Reload the page to see it.`;
      return "saved";
    }
    if (response.status === 409 && reply.closed) {
      journal.clear();
      say(reply.error, "closed");
      window.location.assign(reply.redirect);
      return "closed";
    }
    if (response.status >= 500 || response.status === 429 || response.status === 0) return "busy";
    journal.drop(entry.position, entry.seq);
    if (note) note.textContent = reply.error || "Not saved.";
    say(reply.error || "This answer could not be saved.", "error");
    return "refused";
  }

  // Sends the journal oldest first, one request at a time, until it is empty or the network
  // fails; a failure marks the entries as replays and tries again later.
  async function flush() {
    if (running) return running;
    running = (async () => {
      clearTimeout(retryTimer);
      retryTimer = null;
      for (;;) {
        const [entry] = journal.all();
        if (!entry) break;
        say("Saving…", "saving");
        const outcome = await send(entry);
        if (outcome === "closed") return;
        if (outcome === "offline" || outcome === "busy") {
          // The request may have arrived even so: remember what it carried.
          const current = journal.get(entry.position);
          if (outcome === "offline" && current) journal.put(entry.position, { ...current, sent: entry.fields });
          journal.all().forEach((e) => journal.put(e.position, { ...e, replay: true }));
          offline = !navigator.onLine;
          if (offline) {
            showOffline();
          } else if (outcome === "offline") {
            say(`Not saved: the connection dropped. Retrying… (${waiting()})`, "retrying");
          } else {
            say(`Not saved yet: the server is busy. Retrying… (${waiting()})`, "retrying");
          }
          retryTimer = setTimeout(flush, RETRY_MS[Math.min(retries, RETRY_MS.length - 1)]);
          retries += 1;
          return;
        }
        retries = 0;
      }
      offline = false;
      if (timeUp) { submitForTime(); return; }
      const at = new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
      say(`All answers saved (last at ${at}).`, "saved");
    })();
    try { await running; } finally { running = null; }
    if (journal.all().length && !retryTimer && !offline) flush();
  }

  function changed(section, typing) {
    // Typed offline, an answer may meet a newer one from another device: send it as a replay.
    record(section, offline || !navigator.onLine);
    clearTimeout(typingTimer);
    if (offline) { showOffline(); return; }
    if (typing) { typingTimer = setTimeout(flush, TYPING_MS); } else { flush(); }
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
    if (section) changed(section, false);
  });
  form.addEventListener("input", (event) => {
    const section = event.target.closest(".attempt-question");
    if (section && (event.target.tagName === "TEXTAREA" || event.target.type === "text")) {
      changed(section, true);
    }
  });
  window.addEventListener("online", () => { offline = false; retries = 0; flush(); });
  window.addEventListener("offline", () => { offline = true; if (journal.all().length) showOffline(); });
  window.addEventListener("beforeunload", (event) => {
    // The journal keeps unsent answers across a reload; warn only where it cannot.
    if (journal.all().length && !persistent) { event.preventDefault(); event.returnValue = ""; }
  });

  // A reload or a new tab: answers the server never acknowledged go back into the form and are
  // sent as replays, which the server takes only over the revision they were typed on.
  journal.all().forEach((entry) => {
    const section = sectionAt(entry.position);
    if (section && section.dataset.revision !== String(entry.revision)) {
      journal.put(entry.position, { ...entry, replay: true });
      return;
    }
    if (section) { restore(section, entry.fields); markNavigator(section); }
    journal.put(entry.position, { ...entry, replay: true });
  });
  if (journal.all().length) {
    if (offline) showOffline(); else flush();
  }

  function submitForTime() {
    say("Time is up. Submitting your saved answers…", "closed");
    const submit = document.createElement("form");
    submit.method = "post";
    submit.action = form.dataset.submitUrl;
    submit.innerHTML = `<input type="hidden" name="csrf_token" value="${csrf}">` +
      '<input type="hidden" name="reason" value="time">';
    document.body.appendChild(submit);
    submit.submit();
  }

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
      timeUp = true;
      if (offline || journal.all().length) {
        // The server decides what counts: answers reaching it within its short grace period
        // after the deadline are kept, later ones are refused.
        warning.hidden = false;
        const unsent = journal.all().length
          ? `The time ran out with ${waiting()} on this device. They are sent as soon as the connection returns; the server keeps only those that reach it within its grace period.`
          : "The time ran out while this device was offline.";
        warning.textContent = `${unsent} Your attempt is submitted with the answers the server has.`;
        announce.textContent = "Time is up.";
        if (!offline) flush();
      } else {
        submitForTime();
      }
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
