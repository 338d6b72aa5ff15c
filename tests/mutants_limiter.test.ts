// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Behaviour the README promises that the other tests of the limiter group left
// unchecked (found by `npm run mutation`): ready(backlog) resolves as soon as
// fewer than limit + backlog tasks run or wait, also when a finished task's
// slot goes straight to a queued one; mapGoroutines() closes its input once,
// however many of its mappers fail or are still running when it fails.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineLimiter,
  GoroutineManager,
  mapGoroutines,
} from "goroutine-manager";
import { settlesNow } from "./_helpers.ts";

test("ready(backlog) resolves once a finished task's slot goes to a queued one and fewer than limit + backlog are left", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const first = Promise.withResolvers<void>();
  const second = Promise.withResolvers<void>();
  limiter.go(() => first.promise);
  limiter.go(() => second.promise);
  limiter.go(() => {});
  assert.equal(limiter.active + limiter.queued, 3);
  const ready = limiter.ready(2);
  assert.equal(await settlesNow(ready), false, "3 in flight, not < 1 + 2");
  first.resolve();
  assert.equal(await settlesNow(ready), true, "2 in flight once it finished");
  assert.equal(limiter.active, 1, "the second task took the slot");
  assert.equal(limiter.queued, 1);
  assert.equal(await ready, true);
  second.resolve();
  await manager.wait();
});

/** A sync iterator of 0, 1, 2, … that counts the calls of its return(). */
function countingInput(): Iterable<number> & { returns: number } {
  let next = 0;
  const input = {
    returns: 0,
    [Symbol.iterator]: (): Iterator<number> => ({
      next: () => ({ done: false, value: next++ }),
      return: () => {
        input.returns++;
        return { done: true, value: undefined };
      },
    }),
  };
  return input;
}

test("mapGoroutines() closes its input once when two mappers fail", async () => {
  const manager = new GoroutineManager();
  const input = countingInput();
  const map = mapGoroutines(manager, input, async (item) => {
    await null;
    throw new Error(`item ${item}`);
  }, { limit: 2 });
  await assert.rejects(map, { message: "item 0" });
  await manager.wait().catch(() => {});
  assert.equal(manager.errors.length, 2, "both mappers failed");
  assert.equal(input.returns, 1);
});

test("mapGoroutines() closes its input once when it fails while another mapper still runs", async () => {
  const manager = new GoroutineManager();
  const input = countingInput();
  const release = Promise.withResolvers<void>();
  const map = mapGoroutines(manager, input, async (item) => {
    if (item === 0) return await release.promise;
    throw new Error(`item ${item}`);
  }, { limit: 2 });
  await assert.rejects(map, { message: "item 1" });
  assert.equal(input.returns, 1, "closed as the map failed");
  release.resolve();
  await manager.wait().catch(() => {});
  assert.equal(input.returns, 1, "not again when the last mapper ended");
});
