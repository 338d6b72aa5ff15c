// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console

// A worker that stops gracefully on the first Ctrl-C (SIGINT) or SIGTERM and
// exits at once, with code 130 (143 for SIGTERM), on the second. The same file
// runs on Deno, Bun and Node:
//
//   deno run examples/signals.ts [drain-ms]
//   bun examples/signals.ts [drain-ms]
//   node examples/signals.ts [drain-ms]
//
// After the first signal the worker takes `drain-ms` (default 2000) to finish
// its work; press Ctrl-C again within that time to give up.

import { GoroutineManager, handleProcessSignals } from "goroutine-manager";

const drainMs = Number(process.argv[2] ?? 2000);

const manager = new GoroutineManager();
const signals = handleProcessSignals((name) => {
  console.log(`${name}: stopping (send it again to exit at once)`);
  manager.stopAllGoroutines();
}, {
  onRescue: (name) => console.log(`${name}: exiting at once`),
});

manager.startForegroundGoroutine(async (signal) => {
  let rounds = 0;
  while (!signal.aborted) {
    await sleep(100, signal); // a unit of work
    rounds++;
  }
  console.log(`finishing the work in flight (${drainMs} ms)`);
  await sleep(drainMs);
  console.log(`worker done after ${rounds} rounds`);
});

console.log("ready: press Ctrl-C to stop");
await manager.wait();
signals[Symbol.dispose](); // a Ctrl-C from now on gets the default exit
if (manager.error !== undefined) throw manager.error;
console.log("stopped gracefully");

/** Resolves after `ms` milliseconds, or as soon as `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done);
  });
}
