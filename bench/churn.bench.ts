// deno-lint-ignore-file no-console
// (a benchmark script: it prints its results)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// "churn" (issue 10): the server pattern at scale. C requests are in flight at
// once; each request is a task that (optionally) adds one abort listener to
// the signal it received and removes it when it finishes. Steady churn: the
// oldest request finishes, a new one starts, C stays constant. Reports the
// CPU time per request (µs of process CPU time, user + system, all threads:
// start + finish + the runtime's share of GC) at
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
// Bounded: for each C, every variant fills C requests (untimed) and all of
// them stay live at once (the same heap for all); each warms up for
// --churn-warm ms, then --churn-windows rounds follow in which every variant
// churns for one window of --churn-ms ms, in a rotating order. Reported: the
// median window (µs per request), and, per round, the ratio of a subscribing
// variant's window to the adjacent window of the same churn without
// subscribing (median over rounds): load from other processes cancels out of
// that ratio, and its growth from the smallest to the largest C is issue 10's
// criterion (≤ ×1.5).
//
// A fill that would take longer than --churn-fill-max ms (default 45,000;
// predicted from the previous C, quadratic) is not run: on Node, filling one
// shared signal with 100,000 listeners takes about a minute.
//
//   node --expose-gc bench/churn.bench.ts [--churn-c=1000,10000,50000,100000]
//     [--churn-ms=200] [--churn-windows=7] [--churn-warm=300]
//     [--churn-fill-max=45000] [--churn-variants=lib,per-request,shared,
//     lib-plain,bare-plain]

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
const WINDOW_MS = arg("churn-ms", 200);
const WINDOWS = arg("churn-windows", 7);
const WARM_MS = arg("churn-warm", 300);
const FILL_MAX_MS = arg("churn-fill-max", 45_000);

type Start = (gate: Promise<void>) => void;
interface Variant {
  id: string;
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

const allVariants: Variant[] = [
  {
    id: "lib",
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
    id: "per-request",
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
    id: "shared",
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
    id: "lib-plain",
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
    id: "bare-plain",
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

// --churn-variants=lib,lib-plain runs only those (ids above).
const vArg = argv.find((a) => a.startsWith("--churn-variants="));
const variants = vArg
  ? allVariants.filter((v) => vArg.slice(17).split(",").includes(v.id))
  : allVariants;

interface Point {
  c: number;
  /** Median over windows of µs per request. */
  usPerRequest: number | null;
  /**
   * Median over rounds of (this window ÷ the adjacent window of the same
   * churn without subscribing): load drift cancels out of it.
   */
  vsPlain?: number | null;
  windows: number[];
  fillMs: number;
  skipped?: string;
}

/** The same churn without subscribing, for each subscribing variant. */
const PLAIN: Record<string, string> = {
  "lib": "lib-plain",
  "per-request": "bare-plain",
  "shared": "bare-plain",
};

const now = () => performance.now();
/**
 * CPU time of this process in ms (user + system, all threads: GC helpers
 * included). Windows are timed with it, not with the wall clock: on a shared
 * machine another process's load stretches wall time but not the CPU time a
 * request costs.
 */
const cpuUsage: () => { user: number; system: number } = (
  g as unknown as {
    process: { cpuUsage(): { user: number; system: number } };
  }
).process.cpuUsage;
const cpu = (): number => {
  const u = cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Last fill per variant: [C, ms], to predict the next one. */
const lastFill = new Map<Variant, [number, number]>();

interface Live {
  /** Churns for about `ms` of CPU time; returns CPU µs per request. */
  run(ms: number): Promise<number>;
  close(): Promise<unknown>;
  fillMs: number;
}

/** Puts C requests of `v` in flight (untimed, bounded), or says why not. */
async function fill(v: Variant, c: number): Promise<Live | string> {
  // A quadratic fill (every add scans the listeners already there) at the
  // next C is predicted from the previous one: skip it rather than spend
  // minutes on it.
  const prev = lastFill.get(v);
  if (prev) {
    const predicted = prev[1] * (c / prev[0]) ** 2;
    if (prev[1] > 1_000 && predicted > FILL_MAX_MS) {
      return `not measured: filling C requests would take about ${
        Math.round(predicted / 1000)
      } s (quadratic)`;
    }
  }
  const { start, close } = v.make();
  const ring = new Array<() => void>(c);
  const f0 = now();
  for (let i = 0; i < c; i++) {
    const d = Promise.withResolvers<void>();
    start(d.promise);
    ring[i] = d.resolve;
    if ((i & 1023) === 1023 && now() - f0 > FILL_MAX_MS) {
      for (let j = 0; j <= i; j++) ring[j]!();
      await close();
      return `not measured: the fill took over ${FILL_MAX_MS} ms`;
    }
  }
  const fillMs = now() - f0;
  lastFill.set(v, [c, fillMs]);
  await null;
  let pos = 0;
  return {
    fillMs,
    // One request out, one in, until `ms` have passed.
    run: async (ms) => {
      const t0 = cpu();
      let steps = 0;
      let t = t0;
      while (t - t0 < ms) {
        for (let k = 0; k < 32; k++) {
          ring[pos]!();
          const d = Promise.withResolvers<void>();
          start(d.promise);
          ring[pos] = d.resolve;
          if (++pos === c) pos = 0;
          // Let the finished request's `finally` run: exactly C listeners.
          await null;
        }
        steps += 32;
        t = cpu();
      }
      return ((t - t0) * 1000) / steps;
    },
    close: () => {
      for (let i = 0; i < c; i++) ring[i]!();
      return close();
    },
  };
}

const median = (xs: number[]): number => {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1]!;
};

/**
 * One C: every variant filled and live at once (same heap for all), then
 * WINDOWS rounds in which each variant churns for one window, in a rotating
 * order, so that load from other processes hits all of them alike.
 */
async function measureAll(c: number): Promise<Point[]> {
  const lives: (Live | string)[] = [];
  for (const v of variants) lives.push(await fill(v, c));
  gc();
  for (const l of lives) if (typeof l !== "string") await l.run(WARM_MS);
  const windows: number[][] = variants.map(() => []);
  for (let w = 0; w < WINDOWS; w++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + w) % variants.length;
      const l = lives[i]!;
      if (typeof l !== "string") windows[i]!.push(await l.run(WINDOW_MS));
    }
  }
  for (const l of lives) if (typeof l !== "string") await l.close();
  return variants.map((v, i) => {
    const l = lives[i]!;
    if (typeof l === "string") {
      return { c, usPerRequest: null, windows: [], fillMs: 0, skipped: l };
    }
    const j = variants.findIndex((x) => x.id === PLAIN[v.id]);
    const mine = windows[i]!;
    const theirs = j < 0 ? [] : windows[j]!;
    return {
      c,
      usPerRequest: median(mine),
      vsPlain: theirs.length === mine.length && mine.length
        ? median(mine.map((x, w) => x / theirs[w]!))
        : null,
      windows: mine,
      fillMs: l.fillMs,
    };
  });
}

const keepAlive = setInterval(() => {}, 1 << 30);
// Warm-up of the code paths (small C), not reported.
await measureAll(1_000);
lastFill.clear();
const results = variants.map((v) => ({
  id: v.id,
  name: v.name,
  subscribes: v.subscribes,
  points: [] as Point[],
  growth: null as number | null,
  growthToC: null as number | null,
  /** growth ÷ the growth of the same churn without subscribing (paired). */
  growthVsPlain: null as number | null,
}));
for (const c of CS) {
  gc();
  const points = await measureAll(c);
  points.forEach((p, i) => {
    results[i]!.points.push(p);
    console.error(
      `  ${variants[i]!.name.padEnd(48)} C = ${String(c).padStart(7)}: ${
        p.usPerRequest === null
          ? p.skipped
          : `${p.usPerRequest.toFixed(2)} µs${
            p.vsPlain ? ` (×${p.vsPlain.toFixed(2)} of no subscription)` : ""
          }`
      } (fill ${p.fillMs.toFixed(0)} ms)`,
    );
  });
}
clearInterval(keepAlive);
for (const r of results) {
  // Growth from the smallest C to the largest C measured.
  const measured = r.points.filter((p) => p.usPerRequest !== null);
  const first = measured[0];
  const last = measured[measured.length - 1];
  if (first && last && last !== first) {
    r.growth = last.usPerRequest! / first.usPerRequest!;
    r.growthToC = last.c;
    if (first.vsPlain && last.vsPlain) {
      r.growthVsPlain = last.vsPlain / first.vsPlain;
    }
  }
}
console.log(
  `\nChurn: µs per request with C in flight — ${runtimeName()}`,
);
console.log(
  `  ${"".padEnd(48)} ${
    CS.map((c) => `C=${c}`.padStart(10)).join(" ")
  }    growth  (÷ growth without subscribing)`,
);
for (const r of results) {
  console.log(
    `  ${r.name.padEnd(48)} ${
      r.points.map((p) =>
        (p.usPerRequest === null ? "–" : p.usPerRequest.toFixed(2)).padStart(10)
      ).join(" ")
    }    ×${r.growth === null ? "–" : r.growth.toFixed(2)}${
      r.growthToC === CS[CS.length - 1] ? "" : ` (to C=${r.growthToC})`
    }${r.growthVsPlain === null ? "" : `  (×${r.growthVsPlain.toFixed(2)})`}`,
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
