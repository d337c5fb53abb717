// Keyboard study: number keys pick options (or a rating), Enter checks or continues.
"use strict";

document.addEventListener("keydown", (event) => {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  const typing = event.target.matches("input[type=text], textarea, select");
  const answer = document.querySelector("form[data-keys=answer]");
  const rate = document.querySelector("form[data-keys=rate]");
  if (event.key === "Enter" && !event.target.matches("textarea, button")) {
    const form = answer || rate;
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("[data-default]") || form.querySelector("button[type=submit]");
    button.click();
    return;
  }
  if (typing || !/^[1-9]$/.test(event.key)) return;
  const index = Number(event.key) - 1;
  if (answer) {
    const options = answer.querySelectorAll("input[type=radio], input[type=checkbox]");
    const option = options[index];
    if (!option) return;
    event.preventDefault();
    option.checked = option.type === "radio" ? true : !option.checked;
    option.focus();
  } else if (rate) {
    const buttons = rate.querySelectorAll("button[type=submit]");
    const keyed = { 0: buttons[0], 1: rate.querySelector("[data-default]"), 2: buttons[buttons.length - 1] };
    if (keyed[index]) { event.preventDefault(); keyed[index].click(); }
  }
});

document.documentElement.dataset.keys = "ready"; // tests wait for this before typing

// Focus the first field, so a keyboard user can start at once.
document.addEventListener("DOMContentLoaded", () => {
  const first = document.querySelector("form[data-keys=answer] input:not([type=hidden]), form[data-keys=answer] select");
  if (first && first.type === "text") first.focus();
});
