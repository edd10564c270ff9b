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

  function pareto(canvas, data, valueLabel) {
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

  function bars(canvas, labels, values, label, options = {}) {
    return new Chart(canvas, {
      type: "bar",
      data: { labels, datasets: [{ label, data: values, backgroundColor: BRAND }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, ...options },
    });
  }

  function line(canvas, labels, values, label, yOptions) {
    return new Chart(canvas, {
      type: "line",
      data: { labels, datasets: [{ label, data: values, borderColor: BRAND, backgroundColor: BRAND, spanGaps: true }] },
      options: { maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: yOptions } },
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const source = document.getElementById("dashboard-charts");
    document.querySelectorAll("[data-print]").forEach((button) => button.addEventListener("click", () => window.print()));
    if (!source || typeof Chart === "undefined") {
      return;
    }
    const charts = JSON.parse(source.textContent);
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.animation = false;
    const canvas = (id) => document.getElementById(id);

    pareto(canvas("chart-pareto_count"), charts.pareto_count, "Clients lost");
    pareto(canvas("chart-pareto_fees"), charts.pareto_fees, "Fees lost ($)");
    Object.entries(charts.segments).forEach(([key, data]) => pareto(canvas(`chart-seg-${key}`), data, "Clients lost"));
    bars(canvas("chart-funnel"), charts.funnel.labels, charts.funnel.values, "Actions", { indexAxis: "y" });
    line(canvas("chart-voice"), charts.voice.labels, charts.voice.rating, "Average rating", { min: 0, max: 10 });
    line(canvas("chart-learning"), charts.learning.labels, charts.learning.index, "Index", { min: 0, max: 100 });
    if (charts.perception && canvas("chart-perception")) {
      new Chart(canvas("chart-perception"), {
        data: {
          labels: charts.perception.labels,
          datasets: [
            { type: "bar", label: "Actions verified", data: charts.perception.verified, backgroundColor: MUTED, yAxisID: "y", order: 1 },
            { type: "line", label: "Clients (1-5)", data: charts.perception.clients, borderColor: ACCENT, backgroundColor: ACCENT, yAxisID: "score", spanGaps: true, order: 0 },
            { type: "line", label: "Staff, item 5 (1-5)", data: charts.perception.staff, borderColor: BRAND, backgroundColor: BRAND, borderDash: [6, 4], yAxisID: "score", spanGaps: true, order: 0 },
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
    new Chart(canvas("chart-trend"), {
      data: {
        labels: charts.trend.labels,
        datasets: [
          { type: "bar", label: "Clients lost", data: charts.trend.losses, backgroundColor: MUTED, yAxisID: "y" },
          { type: "line", label: "Fees lost ($)", data: charts.trend.fees, borderColor: ACCENT, backgroundColor: ACCENT, yAxisID: "fees" },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } }, fees: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
      },
    });

    // Charts drawn for the screen are re-laid out for paper, then back.
    window.addEventListener("beforeprint", () => Object.values(Chart.instances).forEach((chart) => chart.resize()));
    window.addEventListener("afterprint", () => Object.values(Chart.instances).forEach((chart) => chart.resize()));
  });
})();
