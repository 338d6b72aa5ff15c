// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// mapGoroutines on a stop while mappers still run, and its listener on the
// manager's signal: removed once the result settles.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager, mapGoroutines } from "goroutine-manager";
import { countListeners, settlesNow } from "./_helpers.ts";

test("mapGoroutines rejects with the manager's reason at the stop, before its running mappers return", async () => {
  const parent = new AbortController();
  const manager = new GoroutineManager({ signal: parent.signal });
  const release = Promise.withResolvers<void>();
  const seen: number[] = [];
  const result = mapGoroutines(manager, [1, 2, 3, 4], async (value) => {
    seen.push(value);
    await release.promise; // ignores its signal
    return value;
  }, { limit: 2 });
  assert.equal(await settlesNow(result), false);
  parent.abort();
  assert.equal(await settlesNow(result), true, "settled at the stop");
  await assert.rejects(result, (error) => error === manager.signal.reason);
  release.resolve();
  await manager.wait();
  assert.deepEqual(seen, [1, 2], "no item taken after the stop");
});

test("mapGoroutines removes its listener on the manager's signal when it settles", async () => {
  const manager = new GoroutineManager();
  const listeners = countListeners(manager.signal);
  assert.deepEqual(
    await mapGoroutines(manager, [1, 2, 3], (value) => value * 2, { limit: 2 }),
    [2, 4, 6],
  );
  await manager.wait();
  assert.equal(listeners.count, 0);
  const failure = new Error("boom");
  const failed = mapGoroutines(manager, [1, 2], () => {
    throw failure;
  });
  await assert.rejects(failed, (error) => error === failure);
  await manager.wait();
  assert.equal(listeners.count, 0);
});
