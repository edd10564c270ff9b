// learnorg dashboard: draws the charts from the JSON the page embeds (json_script, not executed),
// so the strict CSP needs no inline script. Every chart has a table with the same numbers.
(() => {
  "use strict";
  const BRAND = "#1f3b57";
  const ACCENT = "#c2561a";
  const MUTED = "#8aa1b8";

  function goTo(links) {
    return (event, elements) => {
      if (links && elements.length) {
        window.location.href = links[elements[0].index];
      }
    };
  }

  function pareto(canvas, data) {
    const valueLabel = data.label;
    return new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: valueLabel, data: data.values, backgroundColor: BRAND, yAxisID: "y" },
          { type: "line", label: "Cumulative %", data: data.cumulative, borderColor: ACCENT, backgroundColor: ACCENT, yAxisID: "pct", order: 1, tension: 0 },
          { type: "line", label: "80 % mark", data: data.labels.map(() => 80), borderColor: "#555", borderDash: [6, 4], pointRadius: 0, borderWidth: 1, yAxisID: "pct", order: 0 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        onClick: goTo(data.links),
        onHover: (event, elements) => { event.native.target.style.cursor = elements.length ? "pointer" : "default"; },
        scales: {
          x: { ticks: { autoSkip: false, maxRotation: 60, minRotation: 30, callback(value) { const l = this.getLabelForValue(value); return l.length > 22 ? `${l.slice(0, 21)}…` : l; } } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: valueLabel } },
          pct: { position: "right", min: 0, max: 100, grid: { drawOnChartArea: false }, ticks: { callback: (v) => `${v} %` } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }

  function bars(canvas, data) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, backgroundColor: BRAND }] },
      options: {
        maintainAspectRatio: false,
        indexAxis: data.horizontal ? "y" : "x",
        plugins: { legend: { display: false } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }

  function line(canvas, data) {
    return new Chart(canvas, {
      type: "line",
      data: { labels: data.labels, datasets: [{ label: data.label, data: data.values, borderColor: BRAND, backgroundColor: BRAND, spanGaps: true }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: data.scale } },
    });
  }

  function perception(canvas, data) {
    return new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "Actions verified", data: data.verified, backgroundColor: MUTED, yAxisID: "y", order: 1 },
          { type: "line", label: "Clients (1-5)", data: data.clients, borderColor: ACCENT, backgroundColor: ACCENT, yAxisID: "score", spanGaps: true, order: 0 },
          { type: "line", label: "Staff, item 5 (1-5)", data: data.staff, borderColor: BRAND, backgroundColor: BRAND, borderDash: [6, 4], yAxisID: "score", spanGaps: true, order: 0 },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "Verified" } },
          score: { position: "right", min: 1, max: 5, grid: { drawOnChartArea: false }, ticks: { stepSize: 1 } },
        },
        // Lines drawn over the bars (order), the legend in reading order (dataset index).
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12, sort: (a, b) => a.datasetIndex - b.datasetIndex } } },
      },
    });
  }

  function trend(canvas, data) {
    return new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: "Clients lost", data: data.losses, backgroundColor: MUTED, yAxisID: "y" },
          { type: "line", label: "Fees lost ($)", data: data.fees, borderColor: ACCENT, backgroundColor: ACCENT, yAxisID: "fees" },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, fees: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });
  }

  // How each kind of chart is drawn; the panels (dashboard/panels.py) say which kind, and where.
  const DRAW = { pareto, bars, line, perception, trend };

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("dashboard-charts");
    document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
    if (!source || typeof Chart === "undefined") {
      return;
    }
    const charts = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    // Each chart is drawn on the canvas "chart-<its name>" of its panel's template.
    Object.entries(charts).forEach(([name, data]) => {
      const canvas = document.getElementById(`chart-${name}`);
      if (canvas) {
        DRAW[data.kind](canvas, data);
      }
    });

    // Charts drawn for the screen are re-laid out for paper, then back.
    window.addEventListener("beforeprint", () => Object.values(Chart.instances).forEach((chart) => chart.resize()));
    window.addEventListener("afterprint", () => Object.values(Chart.instances).forEach((chart) => chart.resize()));
  });
})();
