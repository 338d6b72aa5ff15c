// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// When a task counts as finished: a task that returns synchronously is done
// before start…Goroutine() returns, and a plain native promise is followed
// directly (no promise of the library's own in between), so the manager sees
// it settle in the same microtask turn as any other reaction registered on it
// afterwards. A Promise subclass is followed the same way, with the native
// `then` (never its own); other thenables are adopted by Promise.resolve()
// (README, "What counts as a failure").

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager } from "goroutine-manager";

test("a task that returns synchronously is finished when start returns", () => {
  const manager = new GoroutineManager();
  for (const value of [undefined, 42, { then: 1 }, null]) {
    manager.startForegroundGoroutine(() => value);
    assert.equal(manager.pending, 0, String(value));
  }
  assert.deepEqual(manager.errors, []);
  let failed = false;
  manager.startForegroundGoroutine(() => {
    failed = true;
    throw new Error("at once");
  });
  assert.equal(failed, true);
  assert.equal(manager.pending, 0);
  assert.equal(manager.errors.length, 1);
});

test("a plain native promise is followed directly: the manager sees it fulfil before a later await of it resumes", async () => {
  const manager = new GoroutineManager();
  const { promise, resolve } = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => promise);
  assert.equal(manager.pending, 1);
  resolve();
  await promise;
  assert.equal(manager.pending, 0);
  assert.deepEqual(manager.errors, []);
});

test("a plain native promise is followed directly: the manager sees it reject before a later handler of it runs", async () => {
  const manager = new GoroutineManager();
  const failure = new Error("rejected");
  const { promise, reject } = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => promise);
  reject(failure);
  await promise.catch(() => {});
  assert.equal(manager.pending, 0);
  assert.deepEqual(manager.errors, [failure]);
});
