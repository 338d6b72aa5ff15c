// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The waitUntil option with background work: a waitUntil that throws, and
// background tasks kept alive by it freeing their place like any other task.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager } from "goroutine-manager";
import { tick } from "./_helpers.ts";

test("waitUntil that throws: its error is collected once, the manager stops, and the task still runs", async () => {
  const thrown = new Error("no more waitUntil");
  let calls = 0;
  const manager = new GoroutineManager({
    waitUntil() {
      calls++;
      throw thrown;
    },
  });
  let ran = false;
  manager.startBackgroundGoroutine(() => {
    ran = true;
  });
  assert.equal(ran, true);
  assert.equal(calls, 1);
  assert.deepEqual(manager.errors, [thrown]);
  assert.equal(manager.signal.aborted, true);
  assert.equal(manager.signal.reason, manager.getErrGoroutineStopped());
  await manager.wait();
  assert.deepEqual(manager.errors, [thrown]);
});

test("waitUntil: finished background tasks free their signal for later ones, and each promise resolves", async () => {
  const promises: Promise<unknown>[] = [];
  const manager = new GoroutineManager({
    waitUntil: (promise) => promises.push(promise),
  });
  const signals = new Set<AbortSignal>();
  const failure = new Error("one failed");
  // Far more tasks than share one signal, one after another.
  for (let i = 0; i < 70; i++) {
    manager.startBackgroundGoroutine((signal) => {
      signals.add(signal);
      if (i === 35) return Promise.reject(failure);
      return Promise.resolve();
    });
    await tick();
  }
  assert.equal(promises.length, 70);
  assert.equal(signals.size, 1, "a new signal for tasks that never overlap");
  const settled = await Promise.allSettled(promises);
  assert.ok(settled.every((result) => result.status === "fulfilled"));
  assert.deepEqual(manager.errors, [failure]);
});

test("without waitUntil: finished background tasks free their signal for later ones", async () => {
  const manager = new GoroutineManager();
  const signals = new Set<AbortSignal>();
  for (let i = 0; i < 70; i++) {
    manager.startBackgroundGoroutine((signal) => {
      signals.add(signal);
    });
    manager.startBackgroundGoroutine((signal) => {
      signals.add(signal);
      return Promise.resolve();
    });
    await tick();
  }
  assert.equal(signals.size, 1);
});
