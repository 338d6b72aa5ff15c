// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The limiter's internal FIFO queue (src/_queue.ts, not exported): the one
// test file that imports a module of src/ directly, for behaviour its JSDoc
// promises that no limiter call reaches (shift() on an empty queue).

import { test } from "node:test";
import assert from "node:assert/strict";
import { Queue } from "../src/_queue.ts";

test("Queue: shift() on an empty queue returns undefined and leaves it empty", () => {
  const queue = new Queue<number>();
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.size, 0);
  queue.push(1);
  assert.equal(queue.size, 1);
  assert.equal(queue.shift(), 1);
  assert.equal(queue.shift(), undefined);
  assert.equal(queue.size, 0);
});

test("Queue: first in, first out across chunks, emptied and refilled", () => {
  const queue = new Queue<number>();
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 2500; i++) queue.push(i);
    assert.equal(queue.size, 2500);
    for (let i = 0; i < 2500; i++) assert.equal(queue.shift(), i);
    assert.equal(queue.size, 0);
    assert.equal(queue.shift(), undefined);
  }
});
