// deno-lint-ignore-file no-console no-explicit-any
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Memory and leaks, with forced GCs (Node: --expose-gc; Deno:
// --v8-flags=--expose-gc; Bun: Bun.gc(true), heap size from bun:jsc).
//
// 1. "memory-live": N tasks, each pending on one shared promise. Live bytes per
//    pending task (heap with N pending − heap before, after a full GC, / N), then
//    bytes still retained per task after they all finished and a GC ran.
// 2. "memory-long-lived": T tasks through ONE manager (batches of 10,000 started
//    and waited for); heap growth per task after a GC. Default T = 1,000,000;
//    `--full` runs 10,000,000.
// 2b. "memory-churn": T requests through ONE manager in steady churn (1,000 in
//    flight), each adding and removing an abort listener on its signal: heap
//    before / after / peak and after a GC at every tenth (issue 10).
// 3. "memory-parent": M managers created under ONE long-lived parent signal:
//    counts the parent's abort listeners while a manager lives and after it
//    stops, and the heap growth per manager after M create+stop cycles (and,
//    for contrast, after 50,000 create+wait cycles without a stop). Default
//    M = 100,000; `--full` runs 1,000,000.
//
//   node --expose-gc bench/memory.bench.ts [--mem-n=50000] [--full]

import { arg, flag, gc, report, runtimeName } from "./_harness.ts";
import {
  acxSpawn,
  Effect,
  effectionRun,
  effectionSpawn,
  effectionSuspend,
  GoroutineManager,
  handRolled,
  pLimit,
} from "./_peers.ts";

const g = globalThis as Record<string, any>;
const N = arg("mem-n", 50_000);
const FULL = flag("full");
const LONG_T = arg("long-t", FULL ? 10_000_000 : 1_000_000);
const PARENT_M = arg("parent-m", FULL ? 1_000_000 : 100_000);
// The contrast run (managers never stopped) leaks one parent listener each,
// and adding a listener is O(listeners) in Node (duplicate check): keep it small.
const NOSTOP_M = arg("nostop-m", 50_000);

let jsc: { heapSize(): number } | undefined;
if (g.Bun) jsc = await import("bun:jsc" as string);
if (!gc()) {
  throw new Error(
    "no forced GC: run node with --expose-gc, deno with --v8-flags=--expose-gc",
  );
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));
async function settledHeap(): Promise<number> {
  // Let finalizers and pending jobs run, then collect twice.
  for (let i = 0; i < 2; i++) {
    await tick();
    gc();
  }
  if (jsc) return jsc.heapSize();
  if (g.Deno) return g.Deno.memoryUsage().heapUsed;
  return g.process.memoryUsage().heapUsed;
}

// ---------------------------------------------------------------------------
// 1. Live bytes per pending task and retained bytes after completion.

interface System {
  name: string;
  n?: number;
  /** Starts n tasks that wait for `gate`; returns a function that awaits them. */
  start: (n: number, gate: Promise<void>) => () => Promise<unknown>;
}

const systems: System[] = [
  {
    name: "bare Promise.all",
    start: (n, gate) => {
      const task = async () => {
        await gate;
      };
      const ps = new Array<Promise<void>>(n);
      for (let i = 0; i < n; i++) ps[i] = task();
      const all = Promise.all(ps);
      return () => all;
    },
  },
  {
    name: "goroutine-manager: foreground",
    start: (n, gate) => {
      const task = async (_signal: AbortSignal) => {
        await gate;
      };
      const m = new GoroutineManager();
      for (let i = 0; i < n; i++) m.startForegroundGoroutine(task);
      return () => m.wait();
    },
  },
  {
    name: "goroutine-manager: background",
    start: (n, gate) => {
      let done = 0;
      const { promise, resolve } = Promise.withResolvers<void>();
      const task = async (_signal: AbortSignal) => {
        await gate;
        if (++done === n) resolve();
      };
      const m = new GoroutineManager();
      for (let i = 0; i < n; i++) m.startBackgroundGoroutine(task);
      return () => promise;
    },
  },
  {
    name: "goroutine-manager: foreground collectors",
    start: (n, gate) => {
      const m = new GoroutineManager();
      for (let i = 0; i < n; i++) {
        const c = m.createForegroundPanicCollector();
        gate.then(() => c.collect(), (e) => c.collect(e));
      }
      return () => m.wait();
    },
  },
  {
    name: "hand-rolled AbortController + try/catch + counter",
    start: (n, gate) => {
      const { done } = handRolled(n, async () => {
        await gate;
      });
      return () => done;
    },
  },
  {
    name: "hand-rolled minimal (.then + counter)",
    start: (n, gate) => {
      const controller = new AbortController();
      const signal = controller.signal;
      let pending = n;
      const { promise, resolve } = Promise.withResolvers<void>();
      const task = async (_signal: AbortSignal) => {
        await gate;
      };
      const finish = () => {
        if (--pending === 0) resolve();
      };
      const fail = (error: unknown) => {
        controller.abort(error);
        finish();
      };
      for (let i = 0; i < n; i++) task(signal).then(finish, fail);
      return () => promise;
    },
  },
  {
    name: "abort-controller-x (spawn + fork)",
    start: (n, gate) => {
      const task = async (_signal: AbortSignal) => {
        await gate;
      };
      const done = acxSpawn(
        new AbortController().signal,
        async (_s, { fork }) => {
          const forks = new Array(n);
          for (let i = 0; i < n; i++) forks[i] = fork(task);
          await Promise.all(forks.map((f) => f.join()));
        },
      );
      return () => done;
    },
  },
  {
    name: "effect (forEach, unbounded)",
    start: (n, gate) => {
      const items = new Array(n);
      const p = Effect.runPromise(
        Effect.forEach(items, () => Effect.promise(() => gate), {
          concurrency: "unbounded",
          discard: true,
        }),
      );
      return () => p;
    },
  },
  {
    name: "p-limit (concurrency Infinity)",
    start: (n, gate) => {
      const limit = pLimit(Infinity);
      const task = async () => {
        await gate;
      };
      const ps = new Array<Promise<void>>(n);
      for (let i = 0; i < n; i++) ps[i] = limit(task);
      const all = Promise.all(ps);
      return () => all;
    },
  },
  {
    name: "effection (spawn)",
    n: Math.min(N, 10_000),
    start: (n, gate) => {
      const task = effectionRun(function* () {
        const tasks = new Array(n);
        for (let i = 0; i < n; i++) {
          tasks[i] = yield* effectionSpawn(function* () {
            yield* {
              *[Symbol.iterator]() {
                return yield* effectionWait(gate);
              },
            };
          });
        }
        for (const t of tasks) yield* t;
      });
      return () => Promise.resolve(task).then(() => {});
    },
  },
];

// Effection's `until`/`call` of a promise, without importing more names.
import { until as effectionWait } from "effection";
void effectionSuspend;

interface LiveResult {
  name: string;
  n: number;
  liveBytesPerTask: number;
  retainedBytesPerTask: number;
}

async function measureLive(s: System): Promise<LiveResult> {
  const n = s.n ?? N;
  const { promise: gate, resolve: open } = Promise.withResolvers<void>();
  const h0 = await settledHeap();
  let finish: (() => Promise<unknown>) | undefined = s.start(n, gate);
  const h1 = await settledHeap();
  open();
  await finish();
  finish = undefined;
  const h2 = await settledHeap();
  return {
    name: s.name,
    n,
    liveBytesPerTask: (h1 - h0) / n,
    retainedBytesPerTask: (h2 - h0) / n,
  };
}

const keepAlive = setInterval(() => {}, 1 << 30);
const rounds = arg("mem-rounds", 3);
// Warm up every system once (code, feature vectors, shapes), then take the
// median of `rounds` measurements, interleaved.
for (const s of systems) await measureLive({ ...s, n: 1_000 });
const samples = new Map<string, LiveResult[]>();
for (let r = 0; r < rounds; r++) {
  for (const s of systems) {
    const res = await measureLive(s);
    (samples.get(s.name) ?? samples.set(s.name, []).get(s.name)!).push(res);
  }
}
const median = (xs: number[]) =>
  xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;
const live = systems.map((s) => {
  const xs = samples.get(s.name)!;
  return {
    name: s.name,
    n: xs[0]!.n,
    liveBytesPerTask: median(xs.map((x) => x.liveBytesPerTask)),
    retainedBytesPerTask: median(xs.map((x) => x.retainedBytesPerTask)),
  };
});
const bareLive = live[0]!.liveBytesPerTask;
console.log(
  `\nLive heap per pending task — ${runtimeName()}, N = ${N}, median of ${rounds}`,
);
for (const l of live) {
  console.log(
    `  ${l.name.padEnd(50)} ${l.liveBytesPerTask.toFixed(0).padStart(7)} B  ×${
      (l.liveBytesPerTask / bareLive).toFixed(2)
    }   retained after GC ${l.retainedBytesPerTask.toFixed(2)} B/task`,
  );
}
report({
  scenario: "memory-live",
  runtime: runtimeName(),
  n: N,
  rounds,
  systems: live,
});

// ---------------------------------------------------------------------------
// 2. T tasks through one long-lived manager.

{
  const m = new GoroutineManager();
  const task = async (_signal: AbortSignal) => {
    await undefined;
  };
  const BATCH = 10_000;
  const batch = async () => {
    for (let i = 0; i < BATCH; i++) m.startForegroundGoroutine(task);
    await m.wait();
  };
  await batch(); // warm-up
  const h0 = await settledHeap();
  const t0 = performance.now();
  for (let done = 0; done < LONG_T; done += BATCH) await batch();
  const seconds = (performance.now() - t0) / 1000;
  const h1 = await settledHeap();
  const res = {
    scenario: "memory-long-lived",
    runtime: runtimeName(),
    tasks: LONG_T,
    heapBefore: h0,
    heapAfter: h1,
    retainedBytesPerTask: (h1 - h0) / LONG_T,
    seconds,
    errors: m.errors.length,
  };
  console.log(
    `\n${LONG_T.toLocaleString("en")} tasks through one manager: heap ${
      (h0 / 1e6).toFixed(2)
    } MB → ${(h1 / 1e6).toFixed(2)} MB (${
      res.retainedBytesPerTask.toFixed(4)
    } B/task) in ${seconds.toFixed(1)} s`,
  );
  report(res);
}

// ---------------------------------------------------------------------------
// 2b. The server pattern through one long-lived manager (issue 10): T requests
//     in steady churn with CHURN_C in flight (the oldest finishes, a new one
//     starts), each adding one abort listener to its signal and removing it
//     when it finishes. The heap must stay flat: no growing list of child
//     signals, no per-task residue. Heap after a GC at every tenth of the run,
//     and the peak of the heap in use (read without a GC every 50,000
//     requests, so it includes garbage not yet collected).

{
  const C = arg("churn-mem-c", 1_000);
  const m = new GoroutineManager();
  const task = async (signal: AbortSignal, gate: Promise<void>) => {
    const on = () => {};
    signal.addEventListener("abort", on);
    try {
      await gate;
    } finally {
      signal.removeEventListener("abort", on);
    }
  };
  const heapNow = (): number =>
    jsc
      ? jsc.heapSize()
      : g.Deno
      ? g.Deno.memoryUsage().heapUsed
      : g.process.memoryUsage().heapUsed;
  const ring = new Array<() => void>(C);
  let pos = 0;
  const startOne = () => {
    const d = Promise.withResolvers<void>();
    m.startForegroundGoroutine((signal) => task(signal, d.promise));
    ring[pos] = d.resolve;
  };
  for (pos = 0; pos < C; pos++) startOne();
  pos = 0;
  const step = async (count: number) => {
    for (let i = 0; i < count; i++) {
      ring[pos]!();
      startOne();
      if (++pos === C) pos = 0;
      await null; // the finished request's `finally` runs before the next start
    }
  };
  await step(100_000); // warm-up
  const h0 = await settledHeap();
  let peak = h0;
  const trend: number[] = [];
  const tenth = Math.max(50_000, Math.round(LONG_T / 10 / 50_000) * 50_000);
  const t0 = performance.now();
  for (let done = 0; done < LONG_T; done += 50_000) {
    await step(50_000);
    const h = heapNow();
    if (h > peak) peak = h;
    if ((done + 50_000) % tenth === 0) trend.push(await settledHeap());
  }
  const seconds = (performance.now() - t0) / 1000;
  for (let i = 0; i < C; i++) ring[i]!();
  await m.wait();
  const h1 = await settledHeap();
  const res = {
    scenario: "memory-churn",
    runtime: runtimeName(),
    requests: LONG_T,
    inFlight: C,
    heapBefore: h0,
    heapAfter: h1,
    heapPeak: peak,
    trend,
    retainedBytesPerRequest: (h1 - h0) / LONG_T,
    seconds,
    errors: m.errors.length,
  };
  console.log(
    `\n${
      LONG_T.toLocaleString("en")
    } subscribing requests through one manager, ${C} in flight: heap ${
      (h0 / 1e6).toFixed(2)
    } MB → ${(h1 / 1e6).toFixed(2)} MB after (peak in use ${
      (peak / 1e6).toFixed(2)
    } MB; after GC at each tenth: ${
      trend.map((h) => (h / 1e6).toFixed(2)).join(", ")
    } MB), ${res.retainedBytesPerRequest.toFixed(4)} B/request, ${
      seconds.toFixed(1)
    } s`,
  );
  report(res);
}

// ---------------------------------------------------------------------------
// 3. Many managers under one long-lived parent signal.

{
  const parent = new AbortController();
  const signal = parent.signal;
  // Count listeners through the instance, which works in every runtime.
  let listeners = 0;
  let maxListeners = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  const registered = new Set<unknown>();
  signal.addEventListener = ((type: string, fn: any, opts?: any) => {
    if (type === "abort" && !registered.has(fn)) {
      registered.add(fn);
      listeners++;
      if (listeners > maxListeners) maxListeners = listeners;
    }
    add(type, fn, opts);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((type: string, fn: any, opts?: any) => {
    if (type === "abort" && registered.delete(fn)) listeners--;
    remove(type, fn, opts);
  }) as typeof signal.removeEventListener;
  const events = g.process?.getBuiltinModule?.("node:events");
  const nativeCount = () =>
    typeof events?.getEventListeners === "function" && !g.Deno && !g.Bun
      ? events.getEventListeners(signal, "abort").length
      : undefined;

  // While one manager lives, and after it stops.
  const probe = new GoroutineManager({ signal });
  probe.startForegroundGoroutine(async () => {});
  const whileLive = listeners;
  const whileLiveNative = nativeCount();
  probe.stopAllGoroutines();
  await probe.wait();
  const afterStop = listeners;
  const afterStopNative = nativeCount();

  const task = async (_signal: AbortSignal) => {};
  const cycle = async (stop: boolean) => {
    const m = new GoroutineManager({ signal });
    m.startForegroundGoroutine(task);
    if (stop) m.stopAllGoroutines();
    await m.wait();
  };
  const runCycles = async (stop: boolean, count: number) => {
    maxListeners = listeners;
    for (let i = 0; i < 1_000; i++) await cycle(stop); // warm-up
    const h0 = await settledHeap();
    const t0 = performance.now();
    for (let i = 0; i < count; i++) await cycle(stop);
    const seconds = (performance.now() - t0) / 1000;
    const h1 = await settledHeap();
    return {
      managers: count,
      heapBefore: h0,
      heapAfter: h1,
      bytesPerManager: (h1 - h0) / count,
      listenersAfter: listeners,
      maxListeners,
      seconds,
    };
  };
  const withStop = await runCycles(true, PARENT_M);
  const withoutStop = await runCycles(false, NOSTOP_M);
  const res = {
    scenario: "memory-parent",
    runtime: runtimeName(),
    listenersWhileLive: whileLive,
    listenersWhileLiveNative: whileLiveNative,
    listenersAfterStop: afterStop,
    listenersAfterStopNative: afterStopNative,
    withStop,
    withoutStop,
  };
  console.log(
    `\nOne parent signal: ${whileLive} listener(s) while a manager lives${
      whileLiveNative === undefined ? "" : ` (native count ${whileLiveNative})`
    }, ${afterStop} after it stops`,
  );
  for (
    const [label, r] of [["create + stop + wait", withStop], [
      "create + wait, no stop",
      withoutStop,
    ]] as const
  ) {
    console.log(
      `  ${r.managers.toLocaleString("en")} × ${label}: heap ${
        (r.heapBefore / 1e6).toFixed(2)
      } MB → ${(r.heapAfter / 1e6).toFixed(2)} MB (${
        r.bytesPerManager.toFixed(2)
      } B/manager), ${r.listenersAfter} listeners left, peak ${r.maxListeners}`,
    );
  }
  report(res);
}
clearInterval(keepAlive);
