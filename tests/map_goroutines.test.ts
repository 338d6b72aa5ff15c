// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// mapGoroutines (issue 11): ordered results, limit, lazy input, failures and
// stops.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineManager,
  GoroutineStoppedError,
  mapGoroutines,
} from "goroutine-manager";
import { aborted, countListeners, escapes, tick } from "./_helpers.ts";

const delay = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

test("mapGoroutines() resolves with results in input order, whatever order they finish in", async () => {
  const m = new GoroutineManager();
  const results = await mapGoroutines(
    m,
    [5, 1, 4, 2, 3, 0],
    async (ms, index) => {
      await delay(ms);
      return `${index}:${ms}`;
    },
    { limit: 3 },
  );
  assert.deepEqual(results, ["0:5", "1:1", "2:4", "3:2", "4:3", "5:0"]);
  await m.wait();
  assert.equal(m.error, undefined);
});

test("mapGoroutines() runs at most `limit` mappers at once and reads the input lazily", async () => {
  const m = new GoroutineManager();
  let read = 0;
  function* items() {
    for (let i = 0; i < 50; i++) {
      read++;
      yield i;
    }
  }
  let running = 0;
  let most = 0;
  let mostAhead = 0;
  const results = await mapGoroutines(m, items(), async (n) => {
    most = Math.max(most, ++running);
    mostAhead = Math.max(mostAhead, read - n);
    await tick();
    running--;
    return n * 2;
  }, { limit: 4 });
  assert.equal(most, 4);
  assert.ok(mostAhead <= 4, `read ${mostAhead} items ahead`);
  assert.deepEqual(results, Array.from({ length: 50 }, (_, i) => i * 2));
});

test("mapGoroutines() maps an async iterable", async () => {
  const m = new GoroutineManager();
  async function* items() {
    for (let i = 0; i < 10; i++) {
      await null;
      yield i;
    }
  }
  let running = 0;
  let most = 0;
  const results = await mapGoroutines(m, items(), async (n, _i, signal) => {
    assert.equal(signal.aborted, false);
    most = Math.max(most, ++running);
    await delay(1);
    running--;
    return n + 1;
  }, { limit: 3 });
  assert.deepEqual(results, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(most <= 3 && most >= 2, `most ${most}`);
});

test("mapGoroutines() with a failure in the middle rejects with it, the manager collects it once, later items never start", async () => {
  const m = new GoroutineManager();
  const started: number[] = [];
  const boom = new Error("item 3 failed");
  const mapped = mapGoroutines(
    m,
    [0, 1, 2, 3, 4, 5, 6, 7],
    async (n, _i, signal) => {
      started.push(n);
      await tick();
      if (n === 3) throw boom;
      if (n > 3) await aborted(signal);
      signal.throwIfAborted();
      return n;
    },
    { limit: 2 },
  );
  await assert.rejects(mapped, (e) => e === boom);
  await m.wait();
  assert.deepEqual(m.errors, [boom]);
  assert.ok(!started.includes(6) && !started.includes(7), `${started}`);
  assert.ok(m.signal.aborted);
});

test("mapGoroutines() rejects with the stop reason when the manager stops gracefully mid-map, and closes the input", async () => {
  const m = new GoroutineManager();
  let closed = false;
  let read = 0;
  function* items() {
    try {
      for (let i = 0; i < 1000; i++) {
        read++;
        yield i;
      }
    } finally {
      closed = true;
    }
  }
  const listeners = countListeners(m.signal);
  const mapped = mapGoroutines(m, items(), async (n, _i, signal) => {
    if (n === 5) m.stopAllGoroutines();
    await tick();
    signal.throwIfAborted(); // a graceful exit
    return n;
  }, { limit: 2 });
  await assert.rejects(mapped, (e) => e === m.getErrGoroutineStopped());
  await m.wait();
  assert.equal(m.error, undefined);
  assert.ok(read < 10, `read ${read}`);
  assert.equal(closed, true);
  assert.equal(listeners.count, 0);
});

test("mapGoroutines() on a stopped manager rejects with its reason and reads nothing", async () => {
  const m = new GoroutineManager();
  m.stopAllGoroutines();
  let read = false;
  const mapped = mapGoroutines(m, {
    *[Symbol.iterator]() {
      read = true;
      yield 1;
    },
  }, (n) => n);
  await assert.rejects(mapped, GoroutineStoppedError);
  assert.equal(read, false);
});

test("mapGoroutines() resolves [] for an empty input, and maps synchronous mappers", async () => {
  const m = new GoroutineManager();
  assert.deepEqual(await mapGoroutines(m, [], (n: number) => n), []);
  assert.deepEqual(await mapGoroutines(m, new Set([1, 2]), (n) => n * 3), [
    3,
    6,
  ]);
  assert.deepEqual(
    await mapGoroutines(m, "abc", (c) => c.toUpperCase(), { limit: 1 }),
    ["A", "B", "C"],
  );
});

test("mapGoroutines(): an input that throws is collected and rejects the map", async () => {
  const m = new GoroutineManager();
  const broken = new Error("input broke");
  async function* items() {
    yield 1;
    throw broken;
  }
  await assert.rejects(
    mapGoroutines(m, items(), (n) => n),
    (e) => e === broken,
  );
  await m.wait();
  assert.deepEqual(m.errors, [broken]);
});

test("mapGoroutines(): a failing map nobody awaits is no unhandled rejection", async () => {
  const m = new GoroutineManager();
  const seen = await escapes(async () => {
    mapGoroutines(m, [1, 2], () => {
      throw new Error("unawaited");
    });
    await m.wait();
  });
  assert.deepEqual(seen, []);
  assert.equal(m.errors.length, 1);
});

test("mapGoroutines() rejects bad arguments at once", () => {
  const m = new GoroutineManager();
  for (const limit of [0, -1, NaN, 1.5]) {
    assert.throws(() => mapGoroutines(m, [1], (n) => n, { limit }), {
      name: "RangeError",
      message:
        `Cannot map goroutines as 'options.limit' must be a positive integer or Infinity: current value is ${limit}`,
    });
  }
  assert.throws(
    () => mapGoroutines(m, [1], (n) => n, { limit: "8" as never }),
    TypeError,
  );
  assert.throws(() => mapGoroutines(m, 42 as never, (n) => n), TypeError);
  assert.throws(() => mapGoroutines(m, [1], 42 as never), TypeError);
  assert.throws(() => mapGoroutines({} as never, [1], (n) => n), TypeError);
  assert.throws(() => mapGoroutines(m, [1], (n) => n, 42 as never), TypeError);
  assert.equal(m.pending, 0);
});
