// deno-lint-ignore-file no-explicit-any
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Scenario "map-<n>" (issue 11): map N = 100,000 items through an async
// mapper (one promise turn) with a concurrency limit of 8 and 256, results in
// input order. Baseline (the floor): n hand-written async workers pulling
// items from the array and writing results by index.
//
//   deno run -A bench/map.bench.ts   |   bun bench/map.bench.ts
//   node --expose-gc bench/map.bench.ts [--n=100000] [--limits=8,256] [--rounds=15]

import { arg, type Case, scenario } from "./_harness.ts";
import { Effect, GoroutineManager, mapGoroutines, pLimit } from "./_peers.ts";
import pMap from "p-map";

const g = globalThis as Record<string, any>;

const N = arg("n", 100_000);
const argv: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const LIMITS = (argv.find((a) => a.startsWith("--limits="))?.slice(9) ??
  "8,256").split(",").filter(Boolean).map(Number);

const items: number[] = Array.from({ length: N }, (_, i) => i);
async function mapper(item: number): Promise<number> {
  await undefined;
  return item * 2;
}

/** The limiter people write for `Promise.all`: a counter and a queue. */
function handLimiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  let head = 0;
  const next = () => {
    active--;
    if (head < queue.length) {
      active++;
      const start = queue[head]!;
      queue[head++] = undefined as never;
      start();
    }
  };
  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => fn().then(resolve, reject).finally(next);
      if (active < n) {
        active++;
        start();
      } else queue.push(start);
    });
}

function cases(n: number): Case[] {
  return [
    {
      name: `floor: ${n} hand-written workers, results by index`,
      run: async () => {
        const results = new Array<number>(N);
        let i = 0;
        const worker = async () => {
          while (i < N) {
            const k = i++;
            results[k] = await mapper(items[k]!);
          }
        };
        const workers = new Array(Math.min(n, N));
        for (let k = 0; k < workers.length; k++) workers[k] = worker();
        await Promise.all(workers);
        return results;
      },
    },
    {
      name: "goroutine-manager: mapGoroutines",
      run: () =>
        mapGoroutines(new GoroutineManager(), items, mapper, { limit: n }),
    },
    {
      name: "p-map",
      run: () => pMap(items, mapper, { concurrency: n }),
    },
    {
      name: "Promise.all over a hand-rolled limiter",
      run: () => {
        const limit = handLimiter(n);
        return Promise.all(items.map((item) => limit(() => mapper(item))));
      },
    },
    {
      name: "p-limit (limit.map)",
      every: 3, // slow: sampled every third round
      run: () => pLimit(n).map(items, mapper),
    },
    {
      name: "effect (forEach, concurrency: n)",
      run: () =>
        Effect.runPromise(
          Effect.forEach(
            items,
            (item: number) => Effect.promise(() => mapper(item)),
            { concurrency: n },
          ),
        ),
    },
  ];
}

for (const n of LIMITS) {
  await scenario(
    `map-${n}`,
    `Map ${N.toLocaleString("en")} items, results in order, limit ${n}`,
    N,
    cases(n),
    { batches: arg("batches", 1) },
  );
}
