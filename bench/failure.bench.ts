// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Scenario "failure": N tasks that all reject after one promise turn, every
// error collected, then waited for. Baseline: a bare `Promise.allSettled`.
// The errors are created once, outside the timed region, so that the cost of
// `new Error()` (a stack trace each) does not hide the cost of collecting.
//
//   node --expose-gc bench/failure.bench.ts [--n=20000] [--rounds=15]

import { arg, scenario } from "./_harness.ts";
import {
  acxSpawn,
  Effect,
  effectionCall,
  effectionRun,
  effectionSpawn,
  GoroutineManager,
  handRolled,
  pLimit,
} from "./_peers.ts";

const N = arg("n", 20_000);
const ERRORS = Array.from(
  { length: N },
  (_, i) => new Error(`task ${i} failed`),
);
let k = 0;
async function failing(_signal?: AbortSignal): Promise<void> {
  await undefined;
  throw ERRORS[k++ % N];
}
function check(count: number): void {
  if (count !== N) throw new Error(`collected ${count} errors, expected ${N}`);
}

export const cases = [
  {
    name: "bare Promise.allSettled",
    run: async () => {
      k = 0;
      const ps = new Array<Promise<void>>(N);
      for (let i = 0; i < N; i++) ps[i] = failing();
      const settled = await Promise.allSettled(ps);
      check(settled.length);
    },
  },
  {
    name: "goroutine-manager: foreground + wait() + errors",
    run: async () => {
      k = 0;
      const m = new GoroutineManager();
      for (let i = 0; i < N; i++) m.startForegroundGoroutine(failing);
      await m.wait();
      check(m.errors.length);
    },
  },
  {
    name: "goroutine-manager: foreground + wait() + error",
    note: "`error` builds one AggregateError of all N",
    run: async () => {
      k = 0;
      const m = new GoroutineManager();
      for (let i = 0; i < N; i++) m.startForegroundGoroutine(failing);
      await m.wait();
      check((m.error as AggregateError).errors.length);
    },
  },
  {
    name: "hand-rolled AbortController + try/catch + counter",
    run: async () => {
      k = 0;
      const { errors, done } = handRolled(N, failing);
      await done;
      check(errors.length);
    },
  },
  {
    name: "abort-controller-x (spawn + fork + join)",
    note:
      "rejects with the first error only; the others are joined with allSettled",
    run: async () => {
      k = 0;
      let count = 0;
      await acxSpawn(
        new AbortController().signal,
        async (_signal, { fork }) => {
          const forks = new Array(N);
          for (let i = 0; i < N; i++) forks[i] = fork(failing);
          count = (await Promise.allSettled(forks.map((f) => f.join()))).length;
        },
      ).catch(() => {});
      check(count);
    },
  },
  {
    name: "effect (forEach unbounded, exit per task)",
    run: async () => {
      k = 0;
      const items = new Array(N);
      const exits = await Effect.runPromise(
        Effect.forEach(
          items,
          () =>
            Effect.exit(Effect.tryPromise({ try: failing, catch: (e) => e })),
          { concurrency: "unbounded" },
        ),
      );
      check(exits.length);
    },
  },
  {
    name: "p-limit (concurrency Infinity) + allSettled",
    run: async () => {
      k = 0;
      const limit = pLimit(Infinity);
      const ps = new Array<Promise<void>>(N);
      for (let i = 0; i < N; i++) ps[i] = limit(failing);
      check((await Promise.allSettled(ps)).length);
    },
  },
  {
    name: "effection (spawn, try/catch per task)",
    every: 4,
    batches: 1,
    run: async () => {
      k = 0;
      const errors: unknown[] = [];
      await effectionRun(function* () {
        const tasks = new Array(N);
        for (let i = 0; i < N; i++) {
          tasks[i] = yield* effectionSpawn(function* () {
            try {
              yield* effectionCall(failing);
            } catch (error) {
              errors.push(error);
            }
          });
        }
        for (const t of tasks) yield* t;
      });
      check(errors.length);
    },
  },
];

if (import.meta.main ?? true) {
  await scenario(
    "failure",
    "N tasks that all reject, collected and waited for",
    N,
    cases,
  );
}
