// The picker's previews open in place: a <details> (keyboard accessible by itself) fetches
// its server-rendered fragment the first time it opens. Without this file the link inside
// opens the same fragment as a page.
"use strict";

document.querySelectorAll("details.picker-preview").forEach((details) => {
  details.addEventListener("toggle", async () => {
    if (!details.open || details.dataset.loaded) {
      return;
    }
    const body = details.querySelector(".picker-preview-body");
    try {
      const response = await fetch(details.dataset.previewUrl, { credentials: "same-origin" });
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      body.innerHTML = await response.text();
      details.dataset.loaded = "1";
    } catch (err) {
      body.textContent = "The preview could not be loaded; try again.";
    }
  });
});
