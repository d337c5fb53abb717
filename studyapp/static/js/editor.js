// Live preview for the question editor: posts the text, shows the student view or the problems.
"use strict";

(() => {
  const form = document.getElementById("question-form");
  if (!form) return;
  const text = form.querySelector("textarea");
  const pane = document.getElementById("preview");
  const problems = document.getElementById("preview-issues");
  const warnings = document.getElementById("preview-warnings");
  let timer = null;
  let sent = 0;

  async function refresh() {
    const mine = ++sent;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json();
      if (mine !== sent) return; // a newer keystroke's preview is on its way
      problems.textContent = data.issues.join("\n");
      // Guessability warnings never block saving; they say how a student could guess.
      warnings.textContent = (data.warnings || []).join("\n");
      warnings.hidden = !warnings.textContent;
      if (data.html) pane.innerHTML = data.html; // rendered and sanitized by the server
    } catch (err) {
      problems.textContent = "Preview unavailable (connection lost); your text is still here.";
    }
  }

  text.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
  form.querySelector("[data-preview-button]").addEventListener("click", (event) => {
    event.preventDefault();
    refresh();
  });
  refresh();
})();
