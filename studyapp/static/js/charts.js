// Draws every <canvas data-chart> from the JSON block beside it, with the vendored Chart.js.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  if (typeof window.Chart === "undefined") return; // the tables still carry the figures
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const data = JSON.parse(document.getElementById(canvas.dataset.source).textContent);
    const kind = canvas.dataset.chart;
    new window.Chart(canvas, {
      type: kind === "hbar" ? "bar" : kind,
      data: {
        labels: data.labels,
        datasets: [{ label: data.label, data: data.values, borderColor: "#0b5cad",
          backgroundColor: kind === "line" ? "rgba(11,92,173,.15)" : "#0b5cad", fill: kind === "line", tension: 0.2 }],
      },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        animation: reduced ? false : undefined,
        maintainAspectRatio: false,
        plugins: { legend: { display: false } },
        scales: { [kind === "hbar" ? "x" : "y"]: { beginAtZero: true, max: data.max || undefined,
          ticks: { callback: (v) => `${v}${data.unit || ""}` } } },
      },
    });
  });
});
