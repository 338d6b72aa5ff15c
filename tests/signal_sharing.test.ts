// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Task signals are shared by a few running tasks (issue 10). These tests keep
// that bound, and the reuse of finished tasks' signals, true under churn:
// tasks that finish or fail one after another, then a burst of tasks that run
// at the same time.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager } from "goroutine-manager";
import { tick } from "./_helpers.ts";

/** The largest number of tasks that were handed the same signal. */
function mostPerSignal(signals: AbortSignal[]): number {
  const counts = new Map<AbortSignal, number>();
  for (const signal of signals) {
    counts.set(signal, (counts.get(signal) ?? 0) + 1);
  }
  return Math.max(...counts.values());
}

for (const foreground of [true, false]) {
  const kind = foreground ? "foreground" : "background";
  const start = (
    manager: GoroutineManager,
    fn: (signal: AbortSignal) => unknown,
  ) =>
    foreground
      ? manager.startForegroundGoroutine(fn)
      : manager.startBackgroundGoroutine(fn);

  /** 200 tasks in flight at once share each signal among 64 tasks at most. */
  const assertBurstShares = async (manager: GoroutineManager) => {
    const held = Promise.withResolvers<void>();
    const burst: AbortSignal[] = [];
    for (let i = 0; i < 200; i++) {
      start(manager, (signal) => {
        burst.push(signal);
        return held.promise;
      });
    }
    assert.ok(mostPerSignal(burst) <= 64, `${mostPerSignal(burst)} per signal`);
    held.resolve();
    await manager.wait();
    await tick();
  };

  test(`${kind}: after tasks came and went one at a time, a burst still shares each signal among a few dozen tasks at most`, async () => {
    const manager = new GoroutineManager();
    const early = new Set<AbortSignal>();
    for (let i = 0; i < 100; i++) {
      start(manager, (signal) => {
        early.add(signal);
      });
    }
    assert.equal(early.size, 1, "one signal for tasks that never overlap");
    await assertBurstShares(manager);
  });

  test(`${kind}: failed tasks free their signal for later tasks like finished ones`, async () => {
    const manager = new GoroutineManager();
    const signals = new Set<AbortSignal>();
    for (let i = 0; i < 100; i++) {
      start(manager, (signal) => {
        signals.add(signal);
        throw new Error(`failure ${i}`);
      });
      start(manager, (signal) => {
        signals.add(signal);
        return Promise.reject(new Error(`rejection ${i}`));
      });
      await tick();
    }
    assert.equal(signals.size, 1, "a new signal for tasks that never overlap");
    assert.equal(manager.errors.length, 200);
    await assertBurstShares(manager);
  });
}
