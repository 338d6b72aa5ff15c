// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// mapGoroutines over an array: its result array is allocated at the input's
// length up front (a speed-up), so these pin what the result holds when the
// input changes length during the map, and that no slot is a hole.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager, mapGoroutines } from "goroutine-manager";

test("mapGoroutines over an array shortened during the map resolves with the items read, no trailing holes", async () => {
  const input = [1, 2, 3, 4, 5, 6];
  const results = await mapGoroutines(
    new GoroutineManager(),
    input,
    async (value, index) => {
      if (index === 0) input.length = 3;
      await null;
      return value * 10;
    },
    { limit: 1 },
  );
  assert.deepEqual(results, [10, 20, 30]);
  assert.equal(results.length, 3);
});

test("mapGoroutines over an array lengthened during the map maps the new items too", async () => {
  const input = [1, 2];
  const results = await mapGoroutines(
    new GoroutineManager(),
    input,
    async (value, index) => {
      if (index === 0) input.push(3);
      await null;
      return value;
    },
    { limit: 1 },
  );
  assert.deepEqual(results, [1, 2, 3]);
});

test("mapGoroutines: a mapper that returns undefined fills its slot (the result has no holes)", async () => {
  const results = await mapGoroutines(
    new GoroutineManager(),
    [1, 2, 3],
    async () => {
      await null;
      return undefined;
    },
    { limit: 2 },
  );
  assert.equal(results.length, 3);
  for (let i = 0; i < 3; i++) assert.ok(i in results, `slot ${i}`);
});
