// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// A tour of goroutine-manager in three short scenes. Run it with `npm start`
// (Deno), or `deno task demo`, `bun examples/demo.ts`, `node examples/demo.ts`
// (Node >= 22.18).

import { GoroutineManager } from "goroutine-manager";

const started = Date.now();
function log(message: string): void {
  const ms = String(Date.now() - started).padStart(4);
  console.log(`[${ms} ms] ${message}`);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** A worker that processes items until its signal aborts. */
function worker(name: string, everyMs: number) {
  return async (signal: AbortSignal): Promise<void> => {
    for (let item = 1;; item++) {
      await sleep(everyMs, signal); // throws the stop reason when stopped
      log(`${name}: processed item ${item}`);
    }
  };
}

// Scene 1: one worker fails, so every worker is stopped, and the error is kept.
{
  console.log("\nScene 1: a failure stops everything");
  const manager = new GoroutineManager({
    hooks: {
      onAfterRecover: (error) => log(`hook: collected "${error.message}"`),
    },
  });
  manager.startForegroundGoroutine(worker("importer", 20));
  manager.startForegroundGoroutine(worker("indexer", 30));
  manager.startBackgroundGoroutine(worker("metrics (background)", 25));
  manager.startForegroundGoroutine(async (signal) => {
    await sleep(70, signal);
    throw new Error("disk full while writing batch 3");
  });
  await manager.wait();
  log(
    `all foreground workers stopped; signal aborted: ${manager.signal.aborted}`,
  );
  for (const error of manager.errors) log(`collected error: ${error.message}`);
}

// Scene 2: a graceful stop. The workers exit by throwing the stop reason,
// which is not an error, so nothing is collected.
{
  console.log("\nScene 2: a graceful stop collects nothing");
  const manager = new GoroutineManager();
  manager.startForegroundGoroutine(worker("mailer", 20));
  manager.startForegroundGoroutine(worker("thumbnailer", 30));
  // Work started by another library reports through a collector.
  const collector = manager.createForegroundPanicCollector();
  setTimeout(() => {
    log("external callback finished cleanly");
    collector.collect();
  }, 40);
  await sleep(65, new AbortController().signal);
  log("stopAllGoroutines()");
  manager.stopAllGoroutines();
  await manager.wait();
  log(`stopped; collected errors: ${manager.errors.length}`);
}

// Scene 3: a parent signal times out. That is not a graceful stop: what the
// workers throw because of it is collected.
{
  console.log("\nScene 3: a parent signal times out");
  const request = new AbortController();
  const timer = setTimeout(
    () =>
      request.abort(
        new DOMException("request took over 50 ms", "TimeoutError"),
      ),
    50,
  );
  const manager = new GoroutineManager({ signal: request.signal });
  manager.startForegroundGoroutine(worker("query", 20));
  await manager.wait();
  clearTimeout(timer);
  log(
    `signal reason: ${manager.signal.reason.name}: ${manager.signal.reason.message}`,
  );
  for (const error of manager.errors) {
    log(`collected error: ${error.name}: ${error.message}`);
  }
}

console.log("\nDone.");
