// deno-lint-ignore-file no-console
// (a benchmark script: it prints its results)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// "churn" (issue 10): the server pattern at scale. C requests are in flight at
// once; each request is a task that (optionally) adds one abort listener to
// the signal it received and removes it when it finishes. Steady churn: the
// oldest request finishes, a new one starts, C stays constant. Reports the
// cost per request (µs, start + finish + the runtime's share of GC) at
// C = 1,000 / 10,000 / 50,000 / 100,000, and the growth from the smallest to
// the largest C.
//
// Variants (the same task body everywhere; only where the signal comes from
// differs):
//   goroutine-manager, subscribing      one manager, startForegroundGoroutine
//   goroutine-manager, no subscription  the same, the task ignores its signal
//   bare AbortController per request    new AbortController() per request
//   one shared bare signal              every request subscribes to ONE signal
//                                       (the quadratic baseline)
//   bare, no subscription               the task alone, no signal at all
//
// Each request: `async (signal) => { signal.addEventListener("abort", on);
// try { await gate } finally { signal.removeEventListener("abort", on) } }`
// with a fresh `on` per request (a shared function would be deduplicated).
// After each request is finished the driver awaits one microtask turn, so the
// finished task's `finally` has run before the next request starts: exactly C
// listeners are live at any time.
//
// Bounded: every (variant, C) pair fills C requests (untimed; skipped if the
// fill takes longer than --churn-fill-max ms), warms up for --churn-warm ms,
// then measures --churn-windows windows of --churn-ms ms each and reports the
// median window.
//
// A fill that would take longer than --churn-fill-max ms (default 45,000;
// predicted from the previous C, quadratic) is not run: on Node, filling one
// shared signal with 100,000 listeners takes about a minute.
//
//   node --expose-gc bench/churn.bench.ts [--churn-c=1000,10000,50000,100000]
//     [--churn-ms=300] [--churn-windows=5] [--churn-warm=300]
//     [--churn-fill-max=45000]

import { arg, gc, report, runtimeName } from "./_harness.ts";
import { GoroutineManager } from "./_peers.ts";

const g = globalThis as Record<string, unknown> & {
  Deno?: { args: string[] };
  process?: { argv: string[] };
};
const argv: string[] = g.Deno ? g.Deno.args : g.process!.argv.slice(2);
const cArg = argv.find((a) => a.startsWith("--churn-c="));
const CS = cArg
  ? cArg.slice(10).split(",").map(Number)
  : [1_000, 10_000, 50_000, 100_000];
const WINDOW_MS = arg("churn-ms", 300);
const WINDOWS = arg("churn-windows", 5);
const WARM_MS = arg("churn-warm", 300);
const FILL_MAX_MS = arg("churn-fill-max", 45_000);

type Start = (gate: Promise<void>) => void;
interface Variant {
  name: string;
  subscribes: boolean;
  /** Returns a function that starts one request, and one that ends the run. */
  make(): { start: Start; close(): Promise<unknown> };
}

async function subscribing(signal: AbortSignal, gate: Promise<void>) {
  const on = () => {};
  signal.addEventListener("abort", on);
  try {
    await gate;
  } finally {
    signal.removeEventListener("abort", on);
  }
}
async function plain(gate: Promise<void>) {
  await gate;
}

const variants: Variant[] = [
  {
    name: "goroutine-manager, subscribing",
    subscribes: true,
    make() {
      const m = new GoroutineManager();
      return {
        start: (gate) =>
          m.startForegroundGoroutine((signal) => subscribing(signal, gate)),
        close: () => m.wait(),
      };
    },
  },
  {
    name: "bare AbortController per request, subscribing",
    subscribes: true,
    make() {
      return {
        start: (gate) => {
          subscribing(new AbortController().signal, gate);
        },
        close: () => Promise.resolve(),
      };
    },
  },
  {
    name: "one shared bare signal, subscribing",
    subscribes: true,
    make() {
      const signal = new AbortController().signal;
      return {
        start: (gate) => {
          subscribing(signal, gate);
        },
        close: () => Promise.resolve(),
      };
    },
  },
  {
    name: "goroutine-manager, no subscription",
    subscribes: false,
    make() {
      const m = new GoroutineManager();
      return {
        start: (gate) => m.startForegroundGoroutine(() => plain(gate)),
        close: () => m.wait(),
      };
    },
  },
  {
    name: "bare, no subscription",
    subscribes: false,
    make() {
      return {
        start: (gate) => {
          plain(gate);
        },
        close: () => Promise.resolve(),
      };
    },
  },
];

interface Point {
  c: number;
  usPerRequest: number | null;
  windows: number[];
  fillMs: number;
  skipped?: string;
}

const now = () => performance.now();

/** Last fill per variant: [C, ms], to predict the next one. */
const lastFill = new Map<Variant, [number, number]>();

async function measure(v: Variant, c: number): Promise<Point> {
  // A quadratic fill (every add scans the listeners already there) at the
  // next C is predicted from the previous one: skip it rather than spend
  // minutes on it.
  const prev = lastFill.get(v);
  if (prev) {
    const predicted = prev[1] * (c / prev[0]) ** 2;
    if (predicted > FILL_MAX_MS) {
      return {
        c,
        usPerRequest: null,
        windows: [],
        fillMs: predicted,
        skipped: `not measured: filling C requests would take about ${
          Math.round(predicted / 1000)
        } s (quadratic)`,
      };
    }
  }
  const { start, close } = v.make();
  const ring = new Array<() => void>(c);
  // Fill: C requests in flight (untimed, bounded).
  const f0 = now();
  for (let i = 0; i < c; i++) {
    const d = Promise.withResolvers<void>();
    start(d.promise);
    ring[i] = d.resolve;
    if ((i & 1023) === 1023 && now() - f0 > FILL_MAX_MS) {
      for (let j = 0; j <= i; j++) ring[j]!();
      await close();
      return {
        c,
        usPerRequest: null,
        windows: [],
        fillMs: now() - f0,
        skipped: `fill took over ${FILL_MAX_MS} ms`,
      };
    }
  }
  const fillMs = now() - f0;
  lastFill.set(v, [c, fillMs]);
  await null;
  let pos = 0;
  // One request out, one in; returns how many steps ran in `ms`.
  const run = async (ms: number): Promise<[number, number]> => {
    const t0 = now();
    let steps = 0;
    let t = t0;
    while (t - t0 < ms) {
      for (let k = 0; k < 32; k++) {
        ring[pos]!();
        const d = Promise.withResolvers<void>();
        start(d.promise);
        ring[pos] = d.resolve;
        if (++pos === c) pos = 0;
        // Let the finished request's `finally` run: exactly C live listeners.
        await null;
      }
      steps += 32;
      t = now();
    }
    return [steps, t - t0];
  };
  await run(WARM_MS);
  const windows: number[] = [];
  for (let w = 0; w < WINDOWS; w++) {
    const [steps, ms] = await run(WINDOW_MS);
    windows.push((ms * 1000) / steps);
  }
  for (let i = 0; i < c; i++) ring[i]!();
  await close();
  const sorted = windows.slice().sort((a, b) => a - b);
  return { c, usPerRequest: sorted[sorted.length >> 1]!, windows, fillMs };
}

const keepAlive = setInterval(() => {}, 1 << 30);
// Warm-up of the code paths (small C), not reported.
for (const v of variants) await measure(v, 1_000);
lastFill.clear();
const results = variants.map((v) => ({
  name: v.name,
  subscribes: v.subscribes,
  points: [] as Point[],
  growth: null as number | null,
  growthToC: null as number | null,
}));
for (const c of CS) {
  // Rotate the order per C so no variant always runs first after a GC.
  const shift = CS.indexOf(c) % variants.length;
  const order = variants.map((_, i) => (i + shift) % variants.length);
  for (const i of order) {
    gc();
    const p = await measure(variants[i]!, c);
    results[i]!.points.push(p);
    console.error(
      `  ${variants[i]!.name.padEnd(48)} C = ${String(c).padStart(7)}: ${
        p.usPerRequest === null ? p.skipped : `${p.usPerRequest.toFixed(2)} µs`
      } (fill ${p.fillMs.toFixed(0)} ms)`,
    );
  }
}
clearInterval(keepAlive);
for (const r of results) {
  r.points.sort((a, b) => a.c - b.c);
  // Growth from the smallest C to the largest C measured.
  const measured = r.points.filter((p) => p.usPerRequest !== null);
  const first = measured[0];
  const last = measured[measured.length - 1];
  r.growth = first && last && last !== first
    ? last.usPerRequest! / first.usPerRequest!
    : null;
  r.growthToC = last?.c ?? null;
}
console.log(
  `\nChurn: µs per request with C in flight — ${runtimeName()}`,
);
console.log(
  `  ${"".padEnd(48)} ${
    CS.map((c) => `C=${c}`.padStart(10)).join(" ")
  }    growth`,
);
for (const r of results) {
  console.log(
    `  ${r.name.padEnd(48)} ${
      r.points.map((p) =>
        (p.usPerRequest === null ? "–" : p.usPerRequest.toFixed(2)).padStart(10)
      ).join(" ")
    }    ×${r.growth === null ? "–" : r.growth.toFixed(2)}${
      r.growthToC === CS[CS.length - 1] ? "" : ` (to C=${r.growthToC})`
    }`,
  );
}
report({
  scenario: "churn",
  runtime: runtimeName(),
  cs: CS,
  windowMs: WINDOW_MS,
  windows: WINDOWS,
  variants: results,
});
