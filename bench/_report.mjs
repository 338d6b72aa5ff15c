// deno-lint-ignore-file explicit-module-boundary-types
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Renders bench/results.json as Markdown: ratio tables and issue 5's targets.

export const ORDER = ["node24", "bun", "deno", "node22"];

/** The targets of issue 5. `max` may depend on the runtime. */
export const SPEED_TARGETS = [
  {
    scenario: "spawn",
    name: "goroutine-manager: foreground + wait()",
    max: 1.2,
  },
  { scenario: "spawn", name: "goroutine-manager: background", max: 1.2 },
  {
    scenario: "spawn",
    name: "goroutine-manager: foreground collectors + wait()",
    max: 1.2,
  },
  {
    scenario: "spawn",
    name: "goroutine-manager: background collectors",
    max: 1.2,
  },
  {
    scenario: "failure",
    name: "goroutine-manager: foreground + wait() + errors",
    max: 2,
  },
  {
    scenario: "stop-fanout",
    name: "goroutine-manager: stopAllGoroutines()",
    max: 1.2,
  },
];
const LIVE_MAX = { node24: 1.25, node22: 1.25, deno: 1.25, bun: 1.5 };
const RETAINED_MAX = 5;

const fmt = (
  x,
  d = 2,
) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(d));
const ok = (b) => (b ? "✅" : "❌");

export function renderMarkdown(out) {
  const rts = ORDER.filter((r) => out.runtimes[r]);
  const head = (first) =>
    `| ${first} | ${
      rts.map((r) => `${out.runtimes[r].label}`).join(" | ")
    } |\n|---|${rts.map(() => "---:").join("|")}|\n`;
  const get = (rt, sc) =>
    out.results.find((r) => r.runtime === rt && r.scenario === sc);
  let md = "";
  md +=
    `Measured on ${out.machine.cpu} (${out.machine.os}, ${out.machine.memoryGB} GB):\n\n`;
  for (const r of rts) {
    const x = out.runtimes[r];
    md += `- ${x.label} (${x.version}): \`${x.command ?? out.command}\`, ${
      (x.date ?? out.date).slice(0, 16).replace("T", " ")
    } UTC, library at ${x.library ?? out.library}\n`;
  }
  md += "\n";
  md +=
    "Speed figures are **ratios to the baseline measured in the same process**: the median over rounds of ";
  md +=
    "(case time / time of an adjacent baseline run), interleaved, after warm-up; in brackets the 25th–75th percentile. ";
  md += "Lower is better; ×1.00 is the baseline.\n\n";

  // Targets first.
  md += "### Targets (issue 5)\n\n" + head("target");
  const row = (label, cells) => `| ${label} | ${cells.join(" | ")} |\n`;
  for (const t of SPEED_TARGETS) {
    md += row(
      `${
        t.name.replace("goroutine-manager: ", "")
      } (${t.scenario}) ≤ ×${t.max}`,
      rts.map((rt) => {
        const c = get(rt, t.scenario)?.cases.find((c) => c.name === t.name);
        return c ? `${ok(c.ratio <= t.max)} ×${fmt(c.ratio)}` : "–";
      }),
    );
  }
  md += row(
    "live heap per pending foreground task ≤ ×1.25 bare (Bun ×1.5)",
    rts.map((rt) => {
      const m = get(rt, "memory-live");
      if (!m) return "–";
      const bare = m.systems[0].liveBytesPerTask;
      const fg = m.systems.find((s) =>
        s.name === "goroutine-manager: foreground"
      );
      const r = fg.liveBytesPerTask / bare;
      return `${ok(r <= LIVE_MAX[rt])} ×${fmt(r)} (${
        fmt(fg.liveBytesPerTask, 0)
      } B vs ${fmt(bare, 0)} B)`;
    }),
  );
  md += row(
    `retained after completion + GC < ${RETAINED_MAX} B/task`,
    rts.map((rt) => {
      const m = get(rt, "memory-live");
      if (!m) return "–";
      const lib = m.systems.filter((s) =>
        s.name.startsWith("goroutine-manager")
      );
      const worst = Math.max(...lib.map((s) => s.retainedBytesPerTask));
      return `${ok(worst < RETAINED_MAX)} ${fmt(worst)} B`;
    }),
  );
  md += row(
    `one long-lived manager, retained < ${RETAINED_MAX} B/task`,
    rts.map((rt) => {
      const m = get(rt, "memory-long-lived");
      return m
        ? `${ok(m.retainedBytesPerTask < RETAINED_MAX)} ${
          fmt(m.retainedBytesPerTask, 3)
        } B (${m.tasks.toLocaleString("en")} tasks)`
        : "–";
    }),
  );
  md += row(
    "one listener on the parent while live, 0 after stop",
    rts.map((rt) => {
      const m = get(rt, "memory-parent");
      return m
        ? `${
          ok(
            m.listenersWhileLive === 1 && m.listenersAfterStop === 0 &&
              m.withStop.maxListeners <= 1,
          )
        } ${m.listenersWhileLive} / ${m.listenersAfterStop}`
        : "–";
    }),
  );
  md += row(
    "create + stop managers under one parent: heap flat (< 5 B/manager)",
    rts.map((rt) => {
      const m = get(rt, "memory-parent");
      return m
        ? `${ok(m.withStop.bytesPerManager < 5)} ${
          fmt(m.withStop.bytesPerManager)
        } B/manager (${m.withStop.managers.toLocaleString("en")})`
        : "–";
    }),
  );
  md += "\n";

  for (const sc of ["spawn", "failure", "stop-fanout", "stop-drain"]) {
    const any = rts.map((rt) => get(rt, sc)).find(Boolean);
    if (!any) continue;
    const ns = [...new Set(rts.map((rt) => get(rt, sc)?.n).filter(Boolean))]
      .join(", ");
    md += `### ${any.title} (N = ${ns})\n\n` + head(`ratio to ${any.baseline}`);
    for (const c of any.cases) {
      const cells = rts.map((rt) => {
        const x = get(rt, sc)?.cases.find((y) => y.name === c.name);
        if (!x) return "–";
        if (x.name === any.baseline) return `×1 (${fmt(x.medianMs)} ms)`;
        return `×${fmt(x.ratio)} <sub>${fmt(x.p25)}–${fmt(x.p75)}</sub>`;
      });
      md += row(c.note ? `${c.name} ¹` : c.name, cells);
    }
    for (const c of any.cases.filter((c) => c.note)) {
      md += `\n¹ ${c.name}: ${c.note}\n`;
    }
    md += "\n";
  }

  const live = rts.map((rt) => get(rt, "memory-live")).find(Boolean);
  if (live) {
    md +=
      `### Live heap per pending task, and retained after completion + GC (N = ${live.n})\n\n`;
    md += head("bytes per task: live (ratio to bare) / retained");
    for (const s of live.systems) {
      md += row(
        s.n !== live.n ? `${s.name} (N = ${s.n})` : s.name,
        rts.map((rt) => {
          const m = get(rt, "memory-live");
          const x = m?.systems.find((y) => y.name === s.name);
          if (!x) return "–";
          return `${fmt(x.liveBytesPerTask, 0)} B (×${
            fmt(x.liveBytesPerTask / m.systems[0].liveBytesPerTask)
          }) / ${fmt(x.retainedBytesPerTask, 1)} B`;
        }),
      );
    }
    md += "\n";
  }
  const par = rts.map((rt) => get(rt, "memory-parent")).find(Boolean);
  if (par) {
    md += "### Managers under one long-lived parent signal\n\n" + head("");
    md += row(
      "parent listeners while a manager lives / after it stops",
      rts.map((rt) => {
        const m = get(rt, "memory-parent");
        return m ? `${m.listenersWhileLive} / ${m.listenersAfterStop}` : "–";
      }),
    );
    for (
      const [k, label] of [["withStop", "create + stop + wait"], [
        "withoutStop",
        "create + wait, never stopped",
      ]]
    ) {
      md += row(
        `${label}: heap growth per manager, listeners left`,
        rts.map((rt) => {
          const m = get(rt, "memory-parent")?.[k];
          return m
            ? `${fmt(m.bytesPerManager)} B, ${m.listenersAfter} left (${
              m.managers.toLocaleString("en")
            } managers)`
            : "–";
        }),
      );
    }
    md += "\n";
  }
  return md;
}
