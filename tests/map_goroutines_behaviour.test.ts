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

test("mapGoroutines: an item an async input yields after the stop is not passed to the mapper", async () => {
  const manager = new GoroutineManager();
  const gate = Promise.withResolvers<void>();
  const asked = Promise.withResolvers<void>();
  const started: number[] = [];
  let next = 0;
  const input: AsyncIterable<number> = {
    [Symbol.asyncIterator]: () => ({
      next: async () => {
        if (next === 1) {
          asked.resolve();
          await gate.promise; // the second item arrives after the stop
        }
        return { value: next++, done: false };
      },
    }),
  };
  const mapped = mapGoroutines(manager, input, (item) => {
    started.push(item);
  }, { limit: 1 });
  await asked.promise;
  manager.stopAllGoroutines();
  gate.resolve();
  await assert.rejects(mapped, (error) => error === manager.signal.reason);
  await manager.wait();
  assert.equal(next, 2, "the input was asked for the second item");
  assert.deepEqual(started, [0]);
});

test("mapGoroutines: the input is closed as the map fails, while another mapper still hangs", async () => {
  const manager = new GoroutineManager();
  let closed = false;
  function* input(): Generator<number> {
    try {
      for (let i = 0;; i++) yield i;
    } finally {
      closed = true;
    }
  }
  const failure = new Error("mapper failed");
  const hang = Promise.withResolvers<void>();
  const mapped = mapGoroutines(
    manager,
    input(),
    (item) => item === 1 ? Promise.reject(failure) : hang.promise,
    { limit: 3 },
  );
  await assert.rejects(mapped, (error) => error === failure);
  assert.equal(closed, true, "closed before the hanging mapper returned");
  assert.equal(manager.pending, 2);
  hang.resolve();
  await manager.wait();
  assert.deepEqual(manager.errors, [failure]);
});

test("mapGoroutines: a generator that stops the manager from its own body is closed when the last mapper ends", async () => {
  const manager = new GoroutineManager();
  let closed = false;
  const release = Promise.withResolvers<void>();
  function* input(): Generator<number> {
    try {
      yield 0;
      manager.stopAllGoroutines(); // the generator is running: return() throws now
      yield 1;
      yield 2;
    } finally {
      closed = true;
    }
  }
  const mapped = mapGoroutines(manager, input(), () => release.promise, {
    limit: 2,
  });
  await assert.rejects(mapped, (error) => error === manager.signal.reason);
  assert.equal(closed, false, "still open while its mapper runs");
  release.resolve();
  await manager.wait();
  assert.equal(closed, true);
});

test("mapGoroutines keeps input order when an async input's reads resolve out of order", async () => {
  const manager = new GoroutineManager();
  // next() #k resolves only when released; released in the order 2, 1, 0.
  const reads: PromiseWithResolvers<IteratorResult<string>>[] = [];
  const input: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next() {
        if (reads.length === 3) {
          return Promise.resolve({ done: true, value: undefined });
        }
        const read = Promise.withResolvers<IteratorResult<string>>();
        reads.push(read);
        return read.promise;
      },
    }),
  };
  const seen: [string, number][] = [];
  const result = mapGoroutines(manager, input, (item, index) => {
    seen.push([item, index]);
    return item.toUpperCase();
  }, { limit: 3 });
  // The first read is released; then three reads are pending at once.
  reads[0]!.resolve({ done: false, value: "a" });
  while (reads.length < 3) await Promise.resolve();
  reads[2]!.resolve({ done: false, value: "c" });
  await Promise.resolve();
  reads[1]!.resolve({ done: false, value: "b" });
  assert.deepEqual(await result, ["A", "B", "C"]);
  assert.deepEqual(seen.sort(), [["a", 0], ["b", 1], ["c", 2]]);
  await manager.wait();
  assert.equal(manager.error, undefined);
});

test("mapGoroutines: an input whose iterator method throws rejects the map and is collected (no synchronous throw)", async () => {
  for (const key of [Symbol.iterator, Symbol.asyncIterator]) {
    const manager = new GoroutineManager();
    const failure = new Error("no iterator today");
    const input = {
      [key]() {
        throw failure;
      },
    } as unknown as Iterable<number>;
    let result: Promise<number[]> | undefined;
    assert.doesNotThrow(() => {
      result = mapGoroutines(manager, input, (item) => item);
    });
    await assert.rejects(result!, (error) => error === failure);
    await manager.wait();
    assert.equal(manager.error, failure, "collected by the manager");
    assert.equal(manager.signal.aborted, true, "which stopped");
  }
});

test("mapGoroutines: options.limit null is a TypeError, like the limiter's", () => {
  const manager = new GoroutineManager();
  assert.throws(
    () => mapGoroutines(manager, [1], (item) => item, { limit: null as never }),
    {
      name: "TypeError",
      message:
        "Cannot map goroutines as 'options.limit' must be a positive integer or Infinity: current value is null",
    },
  );
});

test("mapGoroutines: an iterator step that is not an object fails the map like for…of (a TypeError), collected", async () => {
  for (const sync of [true, false]) {
    const manager = new GoroutineManager();
    const next = () => sync ? 42 : Promise.resolve(42);
    const input = sync
      ? { [Symbol.iterator]: () => ({ next }) }
      : { [Symbol.asyncIterator]: () => ({ next }) };
    const mapped: unknown[] = [];
    const result = mapGoroutines(
      manager,
      input as unknown as Iterable<number>,
      (item) => mapped.push(item),
    );
    await assert.rejects(result, {
      name: "TypeError",
      message: "Iterator result 42 is not an object",
    });
    await manager.wait();
    assert.deepEqual(mapped, [], "nothing mapped");
    assert.equal(manager.error?.message, "Iterator result 42 is not an object");
  }
});

test("mapGoroutines maps nothing an async input yields after its end (a read resolved after an earlier read said done)", async () => {
  const manager = new GoroutineManager();
  const reads: PromiseWithResolvers<IteratorResult<string>>[] = [];
  const input: AsyncIterable<string> = {
    [Symbol.asyncIterator]: () => ({
      next() {
        const read = Promise.withResolvers<IteratorResult<string>>();
        reads.push(read);
        return read.promise;
      },
    }),
  };
  const seen: string[] = [];
  const result = mapGoroutines(manager, input, (item) => {
    seen.push(item);
    return item.toUpperCase();
  }, { limit: 3 });
  reads[0]!.resolve({ done: false, value: "a" });
  while (reads.length < 3) await Promise.resolve();
  // Read 1 says done; read 2, which started before that answer, yields late.
  reads[1]!.resolve({ done: true, value: undefined });
  await Promise.resolve();
  reads[2]!.resolve({ done: false, value: "late" });
  assert.deepEqual(await result, ["A"]);
  await manager.wait();
  assert.deepEqual(seen, ["a"], "the late item was not mapped");
});

test("mapGoroutines starts no mapper after an async input's read (by the next worker) stopped the manager", async () => {
  const manager = new GoroutineManager();
  const seen: string[] = [];
  async function* input(): AsyncGenerator<number> {
    yield 1;
    seen.push("stop"); // runs in the next worker's read, before mapper 1
    manager.stopAllGoroutines();
    yield 2;
  }
  const result = mapGoroutines(manager, input(), (item) => {
    seen.push(`mapper ${item}`);
  }, { limit: 2 });
  await assert.rejects(result, (error) => error === manager.signal.reason);
  await manager.wait();
  assert.deepEqual(seen, ["stop"]);
  assert.deepEqual(manager.errors, []);
});
