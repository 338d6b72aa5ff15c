// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Three scenarios about stopping N tasks that each listen on the stop signal
// ("stop-path", the whole life cycle timed, is described below).
//
// "stop-fanout": the stop call alone (synchronous: it runs the N abort
//   listeners). Baseline: `AbortController.abort()` with the same N listeners.
//   Setting the tasks up and draining them afterwards is not timed.
// "stop-drain": from the stop call until every task has settled. Baseline:
//   `abort()` + `Promise.all` over the N listener promises. Peers use their own
//   cancellation (fiber interrupt, halt, parent abort). p-limit has no way to
//   cancel running tasks, so it is not in this scenario.
//
// N defaults to 5,000 here, not 20,000: adding N listeners to one AbortSignal
// is O(N²) in Node (addEventListener walks the whole listener list to reject
// duplicates; measured 1.3–1.9 s to add 20,000), so setting up 20,000
// listeners per sample would dominate the run time. The timed part is linear.
//
//   node --expose-gc bench/stop.bench.ts [--n=5000] [--rounds=15]

import { arg, scenario } from "./_harness.ts";
import {
  acxSpawn,
  Effect,
  effectionRun,
  effectionSpawn,
  effectionSuspend,
  Fiber,
  GoroutineManager,
  type HandRolled,
  handRolled,
} from "./_peers.ts";

const N = arg("stop-n", 5_000);

/** A task that runs until its signal aborts. */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    signal.addEventListener("abort", () => resolve());
  });
}

interface Bare {
  controller: AbortController;
  all: Promise<unknown>;
}
function bareSetup(): Bare {
  const controller = new AbortController();
  const ps = new Array<Promise<void>>(N);
  for (let i = 0; i < N; i++) ps[i] = untilAborted(controller.signal);
  return { controller, all: Promise.all(ps) };
}
function managerSetup(): GoroutineManager {
  const m = new GoroutineManager();
  for (let i = 0; i < N; i++) m.startForegroundGoroutine(untilAborted);
  return m;
}
/** The hand-rolled pattern, N tasks waiting for the stop. */
function handSetup(): HandRolled {
  return handRolled(N, untilAborted);
}

export const fanout = [
  {
    name: "bare AbortController.abort()",
    setup: bareSetup,
    run: (s: unknown) => (s as Bare).controller.abort(),
    teardown: (s: unknown) => (s as Bare).all,
  },
  {
    name: "goroutine-manager: stopAllGoroutines()",
    setup: managerSetup,
    run: (m: unknown) => (m as GoroutineManager).stopAllGoroutines(),
    teardown: (m: unknown) => (m as GoroutineManager).wait(),
  },
  {
    name: "hand-rolled AbortController + try/catch + counter",
    setup: handSetup,
    run: (s: unknown) => (s as HandRolled).controller.abort(),
    teardown: (s: unknown) => (s as HandRolled).done,
  },
];

interface Acx {
  controller: AbortController;
  done: Promise<unknown>;
}
interface Eff {
  fiber: ReturnType<typeof Effect.runFork>;
}

export const drain = [
  {
    name: "bare abort() + Promise.all",
    setup: bareSetup,
    run: async (s: unknown) => {
      (s as Bare).controller.abort();
      await (s as Bare).all;
    },
  },
  {
    name: "goroutine-manager: stopAllGoroutines() + wait()",
    setup: managerSetup,
    run: async (m: unknown) => {
      (m as GoroutineManager).stopAllGoroutines();
      await (m as GoroutineManager).wait();
    },
  },
  {
    name: "hand-rolled AbortController + try/catch + counter",
    setup: handSetup,
    run: async (s: unknown) => {
      (s as HandRolled).controller.abort();
      await (s as HandRolled).done;
    },
  },
  {
    name: "abort-controller-x (abort the spawn's parent)",
    setup: async (): Promise<Acx> => {
      const controller = new AbortController();
      let started!: () => void;
      const ready = new Promise<void>((r) => (started = r));
      const done = acxSpawn(controller.signal, async (signal, { fork }) => {
        const forks = new Array(N);
        for (let i = 0; i < N; i++) forks[i] = fork(untilAborted);
        started();
        await untilAborted(signal);
        await Promise.allSettled(forks.map((f) => f.join()));
      }).catch(() => {});
      await ready;
      return { controller, done };
    },
    run: async (s: unknown) => {
      (s as Acx).controller.abort();
      await (s as Acx).done;
    },
  },
  {
    name: "effect (interrupt a forEach fiber)",
    setup: async (): Promise<Eff> => {
      const items = new Array(N);
      const fiber = Effect.runFork(
        Effect.forEach(items, () => Effect.promise(untilAborted), {
          concurrency: "unbounded",
          discard: true,
        }),
      );
      // Let every child fiber start and register its listener.
      for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
      return { fiber };
    },
    run: async (s: unknown) => {
      await Effect.runPromise(Fiber.interrupt((s as Eff).fiber));
    },
  },
  {
    name: "effection (halt the spawning task)",
    every: 4,
    batches: 1,
    setup: async () => {
      let started!: () => void;
      const ready = new Promise<void>((r) => (started = r));
      const task = effectionRun(function* () {
        for (let i = 0; i < N; i++) {
          yield* effectionSpawn(function* () {
            yield* effectionSuspend(); // effection's idiom for "until halted"
          });
        }
        started();
        yield* effectionSuspend();
      });
      await ready;
      return { task }; // a Task is a thenable: returning it bare would await it
    },
    run: async (s: unknown) => {
      await (s as { task: { halt(): Promise<void> } }).task.halt();
    },
  },
];

// "stop-path" (issue 10): everything timed — start N tasks that each await
// their signal's abort, then stop and wait until all settled. Baseline: one
// bare AbortController, N listeners on its signal, abort() + Promise.all. This
// is where one shared signal costs O(N²): every addEventListener walks the
// listeners already there.
export const path = [
  {
    name: "bare AbortController, N listeners + abort() + Promise.all",
    run: async () => {
      const s = bareSetup();
      s.controller.abort();
      await s.all;
    },
  },
  {
    name: "goroutine-manager: start N + stopAllGoroutines() + wait()",
    run: async () => {
      const m = managerSetup();
      m.stopAllGoroutines();
      await m.wait();
    },
  },
  {
    name: "hand-rolled AbortController + try/catch + counter",
    run: async () => {
      const s = handSetup();
      s.controller.abort();
      await s.done;
    },
  },
];

if (import.meta.main ?? true) {
  await scenario(
    "stop-fanout",
    "Stop fan-out: the stop call with N listeners",
    N,
    fanout,
    { batches: 2 },
  );
  await scenario(
    "stop-path",
    "Stop path: start N tasks awaiting their signal's abort, stop, wait (all timed)",
    N,
    path,
    { batches: 2 },
  );
  await scenario(
    "stop-drain",
    "Stop and drain: from the stop call until all N tasks settled",
    N,
    drain,
    { batches: 2 },
  );
}
