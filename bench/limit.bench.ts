// deno-lint-ignore-file no-console no-explicit-any
// (a benchmark script: it prints its results and drives peers' loosely typed APIs)
// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Scenario "limit-<n>" (issue 11): N = 100,000 tasks, each awaiting one promise
// turn, through a concurrency limit of 1, 8 and 256. Baseline (the floor): n
// hand-written async workers pulling the task functions from one array. Every
// contender is handed the same prebuilt array of task functions (no closure is
// made in the timed part); the floor reads it in place, while the library and
// the peers must store each task they are handed. Two reference rows show what
// that storage and a result promise per task cost by hand: the floor's workers
// reading a queue that a go()-style call fills one task at a time (slots
// cleared as read, as the library does), and those workers resolving a
// `Promise.withResolvers()` per task, awaited by `Promise.all` (what `run()`
// does).
// Scenario "limit-producer": a producer of 10 M tasks under backpressure
// (limit 256, `await limiter.ready(256)`: at most 256 queued), peak heap
// sampled every 65,536 tasks; the same producer without backpressure as a
// contrast.
//
//   deno run -A --v8-flags=--expose-gc bench/limit.bench.ts   |   bun bench/limit.bench.ts
//   node --expose-gc bench/limit.bench.ts [--n=100000] [--limits=1,8,256]
//     [--producer-n=1000000] [--full (10 M)] [--rounds=15]

import {
  arg,
  type Case,
  flag,
  gc,
  report,
  runtimeName,
  scenario,
} from "./_harness.ts";
import {
  Effect,
  GoroutineLimiter,
  GoroutineManager,
  pLimit,
} from "./_peers.ts";
import PQueue from "p-queue";

const g = globalThis as Record<string, any>;

const N = arg("n", 100_000);
// 10 M tasks with --full (1 M otherwise; the contrast without backpressure
// holds them all: about 1 GB at 10 M).
const PRODUCER_N = arg("producer-n", flag("full") ? 10_000_000 : 1_000_000);
const argv: string[] = g.Deno ? g.Deno.args : g.process.argv.slice(2);
const LIMITS = (argv.find((a) => a.startsWith("--limits="))?.slice(9) ??
  "1,8,256").split(",").filter(Boolean).map(Number);

async function task(): Promise<void> {
  await undefined;
}
const tasks: (() => Promise<void>)[] = new Array(N).fill(task);

/** A counting semaphore, as people write it for a `for await` loop. */
class Semaphore {
  #free: number;
  #waiters: (() => void)[] = [];
  constructor(n: number) {
    this.#free = n;
  }
  acquire(): Promise<void> | undefined {
    if (this.#free > 0) {
      this.#free--;
      return undefined;
    }
    return new Promise<void>((resolve) => this.#waiters.push(resolve));
  }
  release = (): void => {
    const next = this.#waiters.shift();
    if (next) next();
    else this.#free++;
  };
}

function cases(n: number): Case[] {
  return [
    {
      name: `floor: ${n} hand-written workers over one array`,
      run: async () => {
        let i = 0;
        const worker = async () => {
          while (i < N) {
            const f = tasks[i++]!;
            await f();
          }
        };
        const workers = new Array(Math.min(n, N));
        for (let k = 0; k < workers.length; k++) workers[k] = worker();
        await Promise.all(workers);
      },
    },
    {
      name: "by hand: workers over a queue filled 1 by 1",
      run: async () => {
        // What storing the tasks costs: pushed one by one (as go() is
        // called), read by index, each slot cleared as it is read.
        const queue: (() => Promise<void>)[] = [];
        for (let k = 0; k < N; k++) queue.push(tasks[k]!);
        let i = 0;
        const worker = async () => {
          while (i < queue.length) {
            const f = queue[i]!;
            queue[i++] = undefined as never;
            await f();
          }
        };
        const workers = new Array(Math.min(n, N));
        for (let k = 0; k < workers.length; k++) workers[k] = worker();
        await Promise.all(workers);
      },
    },
    {
      name: "by hand: + a result promise each, Promise.all",
      run: async () => {
        // What run() does at least: a promise and its resolvers per task,
        // kept with the task until it runs, all awaited by Promise.all.
        const queue: (() => Promise<void>)[] = [];
        const settle: PromiseWithResolvers<void>[] = [];
        const results = new Array<Promise<void>>(N);
        for (let k = 0; k < N; k++) {
          const result = Promise.withResolvers<void>();
          queue.push(tasks[k]!);
          settle.push(result);
          results[k] = result.promise;
        }
        let i = 0;
        const worker = async () => {
          while (i < queue.length) {
            const k = i++;
            const f = queue[k]!;
            const result = settle[k]!;
            queue[k] = undefined as never;
            settle[k] = undefined as never;
            try {
              result.resolve(await f());
            } catch (error) {
              result.reject(error);
            }
          }
        };
        const workers = new Array(Math.min(n, N));
        for (let k = 0; k < workers.length; k++) workers[k] = worker();
        await Promise.all(results);
      },
    },
    {
      name: "goroutine-manager: GoroutineLimiter go() + wait()",
      run: async () => {
        const m = new GoroutineManager();
        const limiter = new GoroutineLimiter(m, n);
        for (let i = 0; i < N; i++) limiter.go(tasks[i]!);
        await m.wait();
      },
    },
    {
      name: "goroutine-manager: producer awaiting ready(n)",
      run: async () => {
        const m = new GoroutineManager();
        const limiter = new GoroutineLimiter(m, n);
        for (let i = 0; i < N; i++) {
          if (!limiter.tryGo(tasks[i]!)) {
            // Backpressure with a backlog of n queued tasks.
            if (!(await limiter.ready(n))) break;
            limiter.go(tasks[i]!);
          }
        }
        await m.wait();
      },
    },
    {
      name: "goroutine-manager: run() typed results + Promise.all",
      run: async () => {
        const m = new GoroutineManager();
        const limiter = new GoroutineLimiter(m, n);
        const results = new Array<Promise<void>>(N);
        for (let i = 0; i < N; i++) results[i] = limiter.run(tasks[i]!);
        await Promise.all(results);
      },
    },
    {
      name: "p-limit",
      every: 3, // slow: sampled every third round
      run: async () => {
        const limit = pLimit(n);
        const ps = new Array<Promise<void>>(N);
        for (let i = 0; i < N; i++) ps[i] = limit(tasks[i]!);
        await Promise.all(ps);
      },
    },
    {
      name: "p-queue (add + onIdle)",
      every: 3,
      run: async () => {
        const queue = new PQueue({ concurrency: n });
        for (let i = 0; i < N; i++) queue.add(tasks[i]!);
        await queue.onIdle();
      },
    },
    {
      name: "effect (forEach, concurrency: n)",
      run: () =>
        Effect.runPromise(
          Effect.forEach(tasks, (f: () => Promise<void>) => Effect.promise(f), {
            concurrency: n,
            discard: true,
          }),
        ),
    },
    {
      name: "for await + semaphore",
      run: async () => {
        const sem = new Semaphore(n);
        for await (const f of tasks) {
          const wait = sem.acquire();
          if (wait) await wait;
          f().then(sem.release, sem.release);
        }
        for (let k = 0; k < n; k++) await sem.acquire();
      },
    },
  ];
}

for (const n of LIMITS) {
  await scenario(
    `limit-${n}`,
    `${N.toLocaleString("en")} tasks through a limit of ${n}`,
    N,
    cases(n),
    { batches: arg("batches", 1) },
  );
}

// --- a producer of PRODUCER_N tasks under backpressure: peak heap ----------

function heapUsed(): number {
  if (g.Deno) return g.Deno.memoryUsage().heapUsed;
  return g.process.memoryUsage().heapUsed;
}

async function work(_item: number): Promise<void> {
  await undefined;
}

async function producer(count: number, backpressure: boolean) {
  gc();
  const before = heapUsed();
  let peak = before;
  const m = new GoroutineManager();
  const limiter = new GoroutineLimiter(m, 256);
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    // A closure per item, as a producer would write it.
    const item = (): Promise<void> => work(i);
    if (!backpressure) limiter.go(item);
    else if (!limiter.tryGo(item)) {
      if (!(await limiter.ready(256))) break;
      limiter.go(item);
    }
    if ((i & 0xffff) === 0) peak = Math.max(peak, heapUsed());
  }
  peak = Math.max(peak, heapUsed());
  await m.wait();
  const ms = performance.now() - t0;
  gc();
  const after = heapUsed();
  return {
    tasks: count,
    backpressure,
    beforeMB: before / 2 ** 20,
    peakMB: peak / 2 ** 20,
    afterMB: after / 2 ** 20,
    seconds: ms / 1000,
  };
}

if (PRODUCER_N > 0) {
  const flat = await producer(PRODUCER_N, true);
  // Contrast: the same producer without backpressure (everything queued).
  const unbounded = await producer(PRODUCER_N, false);
  console.log(
    `\nproducer under backpressure — ${runtimeName()}: ${flat.tasks} tasks, heap ${
      flat.beforeMB.toFixed(1)
    } MB before, peak ${flat.peakMB.toFixed(1)} MB, ${
      flat.afterMB.toFixed(1)
    } MB after (${
      flat.seconds.toFixed(1)
    } s); without backpressure, ${unbounded.tasks} tasks: peak ${
      unbounded.peakMB.toFixed(1)
    } MB`,
  );
  report({
    scenario: "limit-producer",
    title: "A producer under backpressure: peak heap",
    runtime: runtimeName(),
    withBackpressure: flat,
    withoutBackpressure: unbounded,
  });
}
