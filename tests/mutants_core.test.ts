// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Behaviour the README promises that the other tests of the core group left
// unchecked (found by `npm run mutation`): a returned promise subclass is
// followed with the native `then`, never its own; a second stop while the
// manager aborts does nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager } from "goroutine-manager";

test("a returned Promise subclass is followed with the native then: an own then property is never called", async () => {
  class Subclass<T> extends Promise<T> {}
  const manager = new GoroutineManager();
  let calls = 0;
  for (const outcome of ["fulfils", "rejects"] as const) {
    manager.startForegroundGoroutine(() => {
      const promise = outcome === "fulfils"
        ? Subclass.resolve("value")
        : Subclass.reject(new Error("its real outcome"));
      // A then that lies about the outcome: it must not be asked.
      Object.defineProperty(promise, "then", {
        value: (
          onFulfilled: (value: unknown) => void,
          onRejected: (error: unknown) => void,
        ) => {
          calls++;
          if (outcome === "fulfils") onRejected(new Error("own then"));
          else onFulfilled("own then");
        },
      });
      return promise;
    });
  }
  await manager.wait().catch(() => {});
  assert.equal(calls, 0);
  assert.deepEqual(manager.errors.map((error) => error.message), [
    "its real outcome",
  ]);
});

test("stopAllGoroutines() from a listener of manager.signal does nothing: the task signals still abort after every listener of it", async () => {
  const manager = new GoroutineManager();
  const events: string[] = [];
  const release = Promise.withResolvers<void>();
  manager.startForegroundGoroutine((signal) => {
    signal.addEventListener("abort", () => events.push("task"));
    return release.promise;
  });
  manager.signal.addEventListener("abort", () => {
    events.push("first listener");
    manager.stopAllGoroutines();
    events.push("its second stop returned");
  });
  manager.signal.addEventListener("abort", () => events.push("next listener"));
  manager.stopAllGoroutines();
  assert.deepEqual(events, [
    "first listener",
    "its second stop returned",
    "next listener",
    "task",
  ]);
  release.resolve();
  await manager.wait();
});
