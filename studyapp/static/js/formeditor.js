// The question form editor: rows added, removed and moved with buttons; the preview, the
// messages at their fields and the "try an answer" box come from the server's check.
"use strict";

(() => {
  const form = document.getElementById("form-editor");
  if (!form) return;
  const status = document.getElementById("row-status");
  const KEYS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ".split("");

  function nextKey(list) {
    const used = new Set([...list.querySelectorAll("[data-key]")].map((i) => i.value));
    for (const k of KEYS) if (!used.has(k)) return k;
    for (let n = 1; n < 1000; n++) if (!used.has("A" + n)) return "A" + n;
    return "Z999";
  }

  // Choice keys follow the rows' order (A, B, C...) once a row is moved, added or removed, so
  // the letters instructors see in reviews and reports read down the list as written (and
  // "keep the written order" means A, B, C). The mark and the feedback travel with their text.
  function relabel(group) {
    if (group.dataset.rows !== "choices") return;
    [...group.querySelector("[data-row-list]").children].forEach((row, i) => {
      const key = i < KEYS.length ? KEYS[i] : "A" + (i - KEYS.length + 1);
      row.querySelector("[data-key]").value = key;
      row.querySelector("[data-key-value]").value = key;
      row.querySelector("[data-key-label]").textContent = key;
      row.querySelectorAll("[data-key-text]").forEach((span) => {
        span.textContent = span.textContent.startsWith("Choice") ? `Choice ${key}` : key;
      });
    });
  }

  function refreshButtons(group) {
    const list = group.querySelector("[data-row-list]");
    const rows = [...list.children];
    rows.forEach((row, i) => {
      row.querySelector('[data-move="up"]').disabled = i === 0;
      row.querySelector('[data-move="down"]').disabled = i === rows.length - 1;
    });
    group.querySelector("[data-add]").disabled = rows.length >= Number(group.dataset.max);
  }

  function addRow(group, values) {
    const list = group.querySelector("[data-row-list]");
    const html = group.querySelector("[data-row-template]").innerHTML;
    const key = list.querySelector("[data-key]") !== null || html.includes("__KEY__") ? nextKey(list) : "";
    const holder = document.createElement("ol");
    holder.innerHTML = html.replaceAll("__KEY__", key).replaceAll("__N__", String(list.children.length));
    const row = holder.firstElementChild;
    list.appendChild(row);
    if (values) Object.entries(values).forEach(([name, v]) => { row.querySelector(`[name="${name}"]`).value = v; });
    refreshButtons(group);
    return row;
  }

  form.querySelectorAll("[data-rows]").forEach((group) => {
    refreshButtons(group);
    group.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (!button || !group.contains(button)) return;
      const row = button.closest("[data-row]");
      if (button.hasAttribute("data-add")) {
        const added = addRow(group);
        const first = added.querySelector("input[type=text], textarea");
        if (first) first.focus();
        status.textContent = "Row added.";
      } else if (button.hasAttribute("data-remove") && row) {
        const next = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        relabel(group);
        refreshButtons(group);
        (next ? next.querySelector("[data-remove]") : group.querySelector("[data-add]")).focus();
        status.textContent = "Row removed.";
        schedule();
      } else if (button.dataset.move && row) {
        const list = row.parentElement;
        if (button.dataset.move === "up" && row.previousElementSibling) {
          list.insertBefore(row, row.previousElementSibling);
        } else if (button.dataset.move === "down" && row.nextElementSibling) {
          list.insertBefore(row.nextElementSibling, row);
        }
        relabel(group);
        refreshButtons(group);
        // Keep the focus on the button pressed so the row can be moved again by keyboard.
        if (button.disabled) row.querySelector("[data-move]:not(:disabled)")?.focus();
        else button.focus();
        status.textContent = `Moved to position ${[...list.children].indexOf(row) + 1}.`;
        schedule();
      }
    });
  });

  // Blanks: every [[name]] of the prompt gets a row.
  const prompt = document.getElementById("prompt");
  const blanks = form.querySelector('[data-rows="blanks"]');
  function syncBlanks() {
    if (!blanks) return;
    const names = [...prompt.value.matchAll(/\[\[(.*?)\]\]/g)].map((m) => m[1].trim());
    const have = new Set([...blanks.querySelectorAll("[data-blank-name]")].map((i) => i.value.trim()));
    for (const name of names) {
      if (name && !have.has(name)) {
        const empty = [...blanks.querySelectorAll("[data-blank-name]")].find((i) => !i.value.trim());
        if (empty) empty.value = name;
        else addRow(blanks, { blank_name: name });
        have.add(name);
      }
    }
  }
  if (prompt) prompt.addEventListener("input", syncBlanks);

  function showIssues(issues) {
    form.querySelectorAll("[data-errors-for]").forEach((box) => { box.textContent = ""; });
    const rest = [];
    for (const issue of issues) {
      const box = form.querySelector(`[data-errors-for="${CSS.escape(issue.field)}"]`)
        || form.querySelector(`[data-errors-for="${CSS.escape(issue.field.split("-")[0])}"]`);
      const p = document.createElement("p");
      p.className = issue.severity === "error" ? "error" : "warning";
      p.textContent = (issue.severity === "error" ? "" : "Warning: ") + issue.message;
      if (box) box.appendChild(p); else rest.push(p);
    }
    const general = form.querySelector('[data-errors-for="form"]');
    rest.forEach((p) => general.appendChild(p));
  }

  const pane = document.getElementById("preview");
  const cited = document.getElementById("cited");
  const trialResult = document.getElementById("trial-result");
  let sent = 0;
  let timer = null;

  async function check(withTrial) {
    const mine = ++sent;
    const data = new FormData(form);
    if (!withTrial) data.delete("trial");
    try {
      const response = await fetch(form.dataset.checkUrl, {
        method: "POST", body: data, headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      const result = await response.json();
      if (mine !== sent) return;
      showIssues(result.issues || []);
      if (result.html) pane.innerHTML = result.html; // rendered and sanitized by the server
      else pane.textContent = "Fix the messages at the fields to see the preview.";
      cited.textContent = "";
      for (const [n, text] of result.cited || []) {
        const quote = document.createElement("blockquote");
        quote.className = "cited";
        const p = document.createElement("p");
        const strong = document.createElement("strong");
        strong.textContent = `¶${n}`;
        p.append(strong, " ", text);
        quote.appendChild(p);
        cited.appendChild(quote);
      }
      if (withTrial && trialResult) {
        const t = result.trial;
        trialResult.textContent = t
          ? `${t.points} of ${t.max_points} point(s): ${t.correct ? "right" : "not accepted"}. ${t.feedback.join(" ")}`
          : "Fix the messages first.";
      }
    } catch (err) {
      pane.textContent = "Preview unavailable (connection lost); your work is still in the form.";
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => check(false), 500);
  }
  form.addEventListener("input", (event) => { if (event.target.name !== "trial") schedule(); });
  form.addEventListener("change", (event) => { if (event.target.name !== "trial") schedule(); });
  form.querySelector("[data-preview-button]").addEventListener("click", (event) => {
    event.preventDefault();
    check(false);
  });
  const tryButton = form.querySelector("[data-try]");
  if (tryButton) {
    tryButton.addEventListener("click", (event) => {
      event.preventDefault();
      check(true);
    });
  }
})();
