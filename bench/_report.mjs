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
  {
    scenario: "stop-path",
    name: "goroutine-manager: start N + stopAllGoroutines() + wait()",
    max: 0.25,
  },
];
const CHURN_LIB = "goroutine-manager, subscribing";
const CHURN_LIB_PLAIN = "goroutine-manager, no subscription";
/** Issue 10: subscribing growth ≤ 1.5 × the growth without subscribing. */
const CHURN_MAX = 1.5;
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
  // Figures of an older library (`npm run bench -- --lib=<rev>`), if any.
  const getBefore = (rt, sc) =>
    out.before?.results.find((r) => r.runtime === rt && r.scenario === sc);
  const beforeLabel = out.before
    ? ` — before (library at ${out.before.library})`
    : "";
  let md = "";
  md +=
    `Measured on ${out.machine.cpu} (${out.machine.os}, ${out.machine.memoryGB} GB):\n\n`;
  for (const r of rts) {
    const x = out.runtimes[r];
    md += `- ${x.label} (${x.version}): \`${x.command ?? out.command}\`, ${
      (x.date ?? out.date).slice(0, 16).replace("T", " ")
    } UTC, library at ${x.library ?? out.library}\n`;
  }
  // Figures from other runs (a partial run relabels its runtimes above).
  const labelled = new Set(
    rts.map((r) => `${out.runtimes[r].library}|${out.runtimes[r].command}`),
  );
  const other = new Map();
  for (const r of out.results) {
    if (!r.library) continue;
    const key = `${r.library}|${r.command}`;
    if (labelled.has(key) && !r.scenario.startsWith("server-load")) continue;
    const x = other.get(key) ??
      { library: r.library, command: r.command, date: r.date, sc: new Set() };
    x.sc.add(r.scenario);
    other.set(key, x);
  }
  for (const x of other.values()) {
    md += `- ${[...x.sc].join(", ")}: \`${x.command}\`, ${
      x.date.slice(0, 16).replace("T", " ")
    } UTC, library at ${x.library}\n`;
  }
  for (const r of ORDER.filter((r) => out.before?.runtimes[r])) {
    const x = out.before.runtimes[r];
    md += `- before: ${x.label} (${x.version}): \`${x.command}\`, ${
      x.date.slice(0, 16).replace("T", " ")
    } UTC, library at ${x.library} (rows marked "before")\n`;
  }
  md += "\n";
  md +=
    "Speed figures are **ratios to the baseline measured in the same process**: the median over rounds of ";
  md +=
    "(case time / time of an adjacent baseline run), interleaved, after warm-up; in brackets the 25th–75th percentile. ";
  md += "Lower is better; ×1.00 is the baseline.\n\n";

  // Targets first.
  md += "### Targets (issues 5 and 10)\n\n" + head("target");
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
  md += row(
    `churn: growth of µs/request from C = 1,000 to 100,000, subscribing ≤ ${CHURN_MAX} × without`,
    rts.map((rt) => {
      const m = get(rt, "churn");
      if (!m) return "–";
      const sub = m.variants.find((v) => v.name === CHURN_LIB);
      const plain = m.variants.find((v) => v.name === CHURN_LIB_PLAIN);
      if (!sub?.growth || !plain?.growth) return "–";
      const full = sub.growthToC === m.cs[m.cs.length - 1];
      // Issue 10's definition: the growth of the median costs. (The paired
      // per-round ratio is in the churn table: at large C one major GC in
      // one window of a pair swings it, so it is shown, not judged.)
      const rel = sub.growth / plain.growth;
      return `${ok(full && rel <= CHURN_MAX)} ×${fmt(sub.growth)} vs ×${
        fmt(plain.growth)
      }: ×${fmt(rel)}${full ? "" : ` (to C = ${sub.growthToC})`}`;
    }),
  );
  md += row(
    `subscribing requests through one manager: heap flat (< ${RETAINED_MAX} B/request)`,
    rts.map((rt) => {
      const m = get(rt, "memory-churn");
      return m
        ? `${ok(m.retainedBytesPerRequest < RETAINED_MAX)} ${
          fmt(m.retainedBytesPerRequest, 3)
        } B (${m.requests.toLocaleString("en")})`
        : "–";
    }),
  );
  for (
    const id of [
      ...new Set(
        out.results.map((r) => r.scenario).filter((x) =>
          x.startsWith("server-load")
        ),
      ),
    ].sort((a, b) => a.length - b.length)
  ) {
    const any = rts.map((rt) => get(rt, id)).find(Boolean);
    md += row(
      `server load, ${
        any.connections.toLocaleString("en")
      } connections, ${any.timerMs} ms timer: manager costs ≤ 5% throughput`,
      rts.map((rt) => {
        const m = get(rt, id);
        return m
          ? `${ok(m.throughputCost <= 0.05)} ${
            (m.throughputCost * 100).toFixed(1)
          }%`
          : "–";
      }),
    );
  }
  md += "\n";

  const loadIds = [
    ...new Set(
      out.results.map((r) => r.scenario).filter((x) =>
        x.startsWith("server-load")
      ),
    ),
  ].sort((a, b) => a.length - b.length);
  for (const id of loadIds) {
    const load = rts.map((rt) => get(rt, id)).filter(Boolean);
    const l0 = load[0];
    md += `### Server load: ${
      l0.connections.toLocaleString("en")
    } requests in flight over 127.0.0.1, each a ${l0.timerMs} ms abortable timer\n\n`;
    md +=
      `A raw keep-alive HTTP/1.1 client (node:net, Node 24) with ${
        l0.connections.toLocaleString("en")
      } connections, one request at a time on each, ${l0.duration} s measured per run after a warm-up, ${l0.rounds} rounds alternating bare / manager; ` +
      '"bare": the timer alone, no signal; "manager": one foreground task per request, its signal passed to the timer (the README\'s server pattern); ' +
      '"shared": no manager, every timer listens on one shared bare signal (one run). ' +
      "Cost = 1 − manager req/s ÷ bare req/s, per round, median. Server CPU from /proc (user + system) per request served.\n\n";
    if (l0.command) {
      md += `Measured with \`${l0.command}\`, ${
        l0.date.slice(0, 16).replace("T", " ")
      } UTC, library at ${l0.library}.\n\n`;
    }
    md +=
      "| server | mode | req/s | latency p50 / p90 / p99 (ms) | server CPU µs/request | max in flight | errors |\n|---|---|---:|---:|---:|---:|---:|\n";
    for (const m of load) {
      for (const r of m.runs) {
        md += row(`${m.label} ${m.version}`, [
          r.mode,
          r.requestsPerSecond.toFixed(0),
          `${r.latency.p50} / ${r.latency.p90} / ${r.latency.p99}`,
          fmt(r.serverCpuUsPerRequest, 1),
          r.maxInFlight.toLocaleString("en"),
          String(r.errors + r.serverErrors),
        ]);
      }
      md += row(`${m.label} ${m.version}`, [
        "**manager cost**",
        `**${(m.throughputCost * 100).toFixed(1)}%** (${
          m.throughputCosts.map((c) => `${(c * 100).toFixed(1)}%`).join(", ")
        })`,
        "",
        `×${fmt(m.serverCpuRatio)}`,
        "",
        "",
      ]);
    }
    md += "\n";
  }

  const churn = rts.map((rt) => get(rt, "churn")).find(Boolean);
  if (churn) {
    md +=
      "### Churn: CPU µs per request with C requests in flight (steady: the oldest finishes, a new one starts)\n\n";
    md +=
      'Each request adds one abort listener to the signal it gets and removes it when it finishes ("subscribing"), or ignores it. ';
    md +=
      "Process CPU time (user + system) per request; all variants of one C are live at once and churn in interleaved windows. " +
      "Growth = median µs/request at the largest C measured ÷ at C = 1,000 (issue 10's criterion: the library's subscribing growth ≤ 1.5 × its growth without subscribing). " +
      '"paired" divides each window by the adjacent window of the same churn without subscribing (library with library, bare with bare) before taking the median: ' +
      "it cancels load from other processes, but at large C one major GC falling into one window of a pair swings it. " +
      "A quadratic fill that would take more than 45 s is not run (–).\n\n";
    const cs = churn.cs;
    md += `| runtime | variant | ${
      cs.map((c) => `C = ${c.toLocaleString("en")}`).join(" | ")
    } | growth | paired: ÷ growth without subscribing |\n|---|---|${
      cs.map(() => "---:").join("|")
    }|---:|---:|\n`;
    for (const rt of rts) {
      const now = get(rt, "churn");
      if (!now) continue;
      const then = getBefore(rt, "churn");
      for (
        const [m, v] of [
          ...now.variants.map((v) => [now, v]),
          ...(then?.variants ?? [])
            .filter((v) => v.name.startsWith("goroutine-manager"))
            .map((v) => [then, { ...v, name: `${v.name}${beforeLabel}` }]),
        ]
      ) {
        const cells = m.cs.map((c) => {
          const p = v.points.find((x) => x.c === c);
          return p?.usPerRequest == null ? "–" : `${fmt(p.usPerRequest)} µs`;
        });
        const gr = v.growth == null
          ? "–"
          : `×${fmt(v.growth)}${
            v.growthToC === m.cs[m.cs.length - 1]
              ? ""
              : ` (to ${v.growthToC.toLocaleString("en")})`
          }`;
        md += row(
          `${out.runtimes[rt].label} | ${
            v.name.startsWith("goroutine-manager") ? `**${v.name}**` : v.name
          }`,
          [
            ...cells,
            gr,
            v.growthVsPlain == null ? "" : `×${fmt(v.growthVsPlain)}`,
          ],
        );
      }
    }
    md += "\n";
  }
  const mc = rts.map((rt) => get(rt, "memory-churn")).find(Boolean);
  if (mc) {
    md +=
      `### Subscribing requests through one long-lived manager (${
        mc.inFlight.toLocaleString("en")
      } in flight)\n\n` +
      head("");
    const mb = (x) => `${(x / 1e6).toFixed(2)} MB`;
    for (
      const [label, f] of [
        ["requests", (m) => m.requests.toLocaleString("en")],
        ["heap before (after GC)", (m) => mb(m.heapBefore)],
        ["heap after (after GC)", (m) => mb(m.heapAfter)],
        ["peak heap in use (no forced GC)", (m) => mb(m.heapPeak)],
        [
          "heap after GC at each tenth, min–max",
          (m) => `${mb(Math.min(...m.trend))}–${mb(Math.max(...m.trend))}`,
        ],
        [
          "retained per request",
          (m) => `${fmt(m.retainedBytesPerRequest, 4)} B`,
        ],
        ["seconds", (m) => fmt(m.seconds, 1)],
      ]
    ) {
      md += row(
        label,
        rts.map((rt) => {
          const m = get(rt, "memory-churn");
          return m ? f(m) : "–";
        }),
      );
    }
    md += "\n";
  }

  for (
    const sc of [
      "spawn",
      "spawn-peers",
      "failure",
      "stop-fanout",
      "stop-path",
      "stop-drain",
      "limit-1",
      "limit-8",
      "limit-256",
      "map-8",
      "map-256",
    ]
  ) {
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
    for (
      const c of any.cases.filter((c) => c.name.startsWith("goroutine-manager"))
    ) {
      const cells = rts.map((rt) => {
        const x = getBefore(rt, sc)?.cases.find((y) => y.name === c.name);
        return x
          ? `×${fmt(x.ratio)} <sub>${fmt(x.p25)}–${fmt(x.p75)}</sub>`
          : "";
      });
      if (cells.some((x) => x)) {
        md += row(`${c.name}${beforeLabel}`, cells.map((x) => x || "–"));
      }
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
