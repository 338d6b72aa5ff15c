// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file explicit-module-boundary-types
//
// The `using` / `await using` checks, in their own module: worker.mjs imports
// it dynamically, so that a runtime that cannot parse the syntax fails these
// checks only.

import { GoroutineManager } from "goroutine-manager";

const aborted = (signal) =>
  new Promise((resolve) => signal.addEventListener("abort", resolve));

/** `await using` stops and waits; a failure is thrown at the end of the scope. */
export async function awaitUsing() {
  let stopped = false;
  {
    await using manager = new GoroutineManager();
    manager.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      stopped = true;
      signal.throwIfAborted();
    });
  }
  let thrown;
  const failure = new Error("failed inside await using");
  try {
    await using manager = new GoroutineManager();
    manager.startForegroundGoroutine(() => {
      throw failure;
    });
  } catch (error) {
    thrown = error;
  }
  return { stopped, thrownIsFailure: thrown === failure };
}

/** `using collector = …` reports a clean finish at the end of the scope. */
export async function usingCollector() {
  const manager = new GoroutineManager();
  {
    using collector = manager.createForegroundPanicCollector();
    void collector;
  }
  const pending = manager.pending;
  await manager.wait();
  return { pending, errors: manager.errors.length };
}
