// deno-lint-ignore-file explicit-module-boundary-types
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Writes bench/chart.svg from bench/results.json: one panel per scenario,
// one group of bars per system, one bar per runtime, log-scale ratios.
// Plain string building, no browser and no dependency.

import { ORDER } from "./_report.mjs";

const COLORS = {
  node24: "#3c873a",
  bun: "#c7862f",
  deno: "#3b6fd6",
  node22: "#8aa88a",
};
const esc = (s) =>
  String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(out) {
  const rts = ORDER.filter((r) => out.runtimes[r]);
  const get = (rt, sc) =>
    out.results.find((r) => r.runtime === rt && r.scenario === sc);
  const panels = [];
  for (
    const [sc, title] of [
      ["spawn", "Start N tasks + wait (ratio to bare Promise.all)"],
      [
        "failure",
        "N rejecting tasks, all errors collected (ratio to Promise.allSettled)",
      ],
      [
        "stop-path",
        "Start N tasks awaiting their signal, stop, wait (ratio to one bare AbortController)",
      ],
      [
        "stop-drain",
        "Stop N tasks and wait until settled (ratio to abort() + Promise.all)",
      ],
    ]
  ) {
    const any = rts.map((rt) => get(rt, sc)).find(Boolean);
    if (!any) continue;
    const rows = any.cases.slice(1).map((c) => ({
      name: c.name,
      values: rts.map((rt) =>
        get(rt, sc)?.cases.find((x) => x.name === c.name)?.ratio
      ),
    }));
    panels.push({
      title: `${title}, N = ${any.n}`,
      rows,
      target: sc === "spawn"
        ? 1.2
        : sc === "failure"
        ? 2
        : sc === "stop-path"
        ? 0.25
        : undefined,
    });
  }
  const churn = rts.map((rt) => get(rt, "churn")).find(Boolean);
  if (churn) {
    const last = churn.cs[churn.cs.length - 1];
    panels.push({
      title: `Churn: growth of µs/request from C = ${
        churn.cs[0].toLocaleString("en")
      } to ${last.toLocaleString("en")} requests in flight (– : not run)`,
      rows: churn.variants.map((v) => ({
        name: v.name,
        values: rts.map((rt) => {
          const x = get(rt, "churn")?.variants.find((y) => y.name === v.name);
          return x?.growthToC === last ? x.growth ?? undefined : undefined;
        }),
      })),
    });
  }
  const live = rts.map((rt) => get(rt, "memory-live")).find(Boolean);
  if (live) {
    panels.push({
      title: "Live heap per pending task (ratio to bare Promise.all)",
      target: 1.25,
      rows: live.systems.slice(1).map((s) => ({
        name: s.name,
        values: rts.map((rt) => {
          const m = get(rt, "memory-live");
          const x = m?.systems.find((y) => y.name === s.name);
          return x
            ? x.liveBytesPerTask / m.systems[0].liveBytesPerTask
            : undefined;
        }),
      })),
    });
  }

  const W = 980, labelW = 360, plotW = W - labelW - 70, barH = 7, gap = 10;
  const lo = 0.02, hi = 1000;
  const x = (v) =>
    labelW +
    (Math.log10(Math.min(Math.max(v, lo), hi) / lo) / Math.log10(hi / lo)) *
      plotW;
  let y = 40;
  let body = "";
  for (const p of panels) {
    const top = y + 22;
    body += `<text x="10" y="${y + 14}" font-weight="bold" font-size="14">${
      esc(p.title)
    }</text>`;
    y = top + 6;
    for (const r of p.rows) {
      const h = rts.length * barH;
      const lib = r.name.startsWith("goroutine-manager");
      body += `<text x="${labelW - 8}" y="${
        y + h / 2 + 4
      }" text-anchor="end" font-size="11"${lib ? ' font-weight="bold"' : ""}>${
        esc(r.name)
      }</text>`;
      r.values.forEach((v, i) => {
        if (v === undefined) return;
        const by = y + i * barH;
        body += `<rect x="${labelW}" y="${by}" width="${
          Math.max(1, x(v) - labelW).toFixed(1)
        }" height="${barH - 1}" fill="${COLORS[rts[i]]}"/>`;
        body += `<text x="${(x(v) + 3).toFixed(1)}" y="${
          by + barH - 1
        }" font-size="8">×${v >= 10 ? v.toFixed(0) : v.toFixed(2)}</text>`;
      });
      y += h + gap;
    }
    // Axis: grid lines at powers of ten, ×1 and the target.
    for (const t of [0.02, 0.1, 0.25, 1, 2, 5, 10, 100, 1000]) {
      body += `<line x1="${x(t)}" y1="${top}" x2="${x(t)}" y2="${
        y - gap + 2
      }" stroke="#999" stroke-width="${t === 1 ? 1.2 : 0.4}"/>`;
      body += `<text x="${x(t)}" y="${
        y + 6
      }" font-size="9" text-anchor="middle" fill="#555">×${t}</text>`;
    }
    if (p.target) {
      body += `<line x1="${x(p.target)}" y1="${top}" x2="${x(p.target)}" y2="${
        y - gap + 2
      }" stroke="#d33" stroke-dasharray="4 3"/>`;
      body += `<text x="${x(p.target) + 3}" y="${
        top - 2
      }" font-size="9" fill="#d33">target ×${p.target}</text>`;
    }
    y += 24;
  }
  let legend = "";
  rts.forEach((rt, i) => {
    legend += `<rect x="${10 + i * 170}" y="12" width="12" height="12" fill="${
      COLORS[rt]
    }"/>`;
    legend += `<text x="${28 + i * 170}" y="22" font-size="12">${
      esc(out.runtimes[rt].label.split(" ")[0])
    } ${esc(out.runtimes[rt].version)}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${
    y + 10
  }" viewBox="0 0 ${W} ${y + 10}" font-family="system-ui, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${legend}
${body}
<text x="${
    W - 10
  }" y="${y}" font-size="9" text-anchor="end" fill="#555">log scale; lower is better; ${
    esc(out.machine.cpu)
  }, ${esc(out.date.slice(0, 10))}</text>
</svg>
`;
}
