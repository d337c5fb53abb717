// Small progressive enhancements; every page works without this file.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.dataset ? form.dataset.confirm : null;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Sign-up forms learn the browser's time zone, so due times show in local time at once.
document.querySelectorAll("input[data-detect-timezone]").forEach((input) => {
  try {
    input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (err) {
    input.value = "";
  }
});

document.addEventListener("focusin", (event) => {
  if (event.target.matches("input.copy")) {
    event.target.select();
  }
});

// After a submit, the attempt's answer journal (see attempt.js) has nothing left to send.
document.querySelectorAll("[data-journal-clear]").forEach((el) => {
  const prefix = `studyapp.journal.${el.dataset.journalClear}.`;
  try {
    Object.keys(localStorage).filter((k) => k.startsWith(prefix)).forEach((k) => localStorage.removeItem(k));
  } catch (err) { /* storage off: nothing was kept */ }
});
