// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The edges of the graceful-exit rules (README, "What counts as a failure"):
// how deep the cause chain is followed, which parts of a copy of the stop
// reason must match, and which rules hold at the top level only. Each case is
// a task that fails with the value once its manager stopped; a graceful exit
// leaves `errors` empty, anything else is collected once, as is.

import { test } from "node:test";
import assert from "node:assert/strict";
import { GoroutineManager, GoroutineStoppedError } from "goroutine-manager";
import { aborted } from "./_helpers.ts";

/** An error whose `cause` chain reaches `value` after `depth` links. */
function wrap(value: unknown, depth: number): unknown {
  for (let i = 0; i < depth; i++) {
    value = new Error(`link ${depth - i}`, { cause: value });
  }
  return value;
}

/**
 * What the manager collects when a task fails with `make(R)` after
 * `stopAllGoroutines()`, R being the manager's stop reason.
 */
async function collectedAfterStop(
  make: (reason: GoroutineStoppedError) => unknown,
): Promise<readonly Error[]> {
  const manager = new GoroutineManager();
  let thrown: unknown;
  manager.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    thrown = make(manager.getErrGoroutineStopped());
    throw thrown;
  });
  manager.stopAllGoroutines();
  await manager.wait();
  assert.equal(manager.pending, 0);
  for (const error of manager.errors) assert.equal(error, thrown);
  return manager.errors;
}

test("graceful exit: the stop reason 16 causes deep is graceful, 17 deep is collected", async () => {
  for (let depth = 0; depth <= 16; depth++) {
    assert.deepEqual(
      await collectedAfterStop((reason) => wrap(reason, depth)),
      [],
      `depth ${depth}`,
    );
  }
  assert.equal(
    (await collectedAfterStop((reason) => wrap(reason, 17))).length,
    1,
  );
});

test("graceful exit: a copy of the stop reason 16 causes deep is graceful, 17 deep is collected", async () => {
  const copy = (reason: Error): Error =>
    Object.assign(new Error(reason.message), { name: reason.name });
  assert.deepEqual(
    await collectedAfterStop((reason) => wrap(copy(reason), 16)),
    [],
  );
  assert.equal(
    (await collectedAfterStop((reason) => wrap(copy(reason), 17))).length,
    1,
  );
});

test("graceful exit: a copy needs both the name and the message of the stop reason", async () => {
  // Both: a clone of R (workerd), graceful at the top and deeper.
  assert.deepEqual(
    await collectedAfterStop((reason) =>
      Object.assign(new Error(reason.message), { name: reason.name })
    ),
    [],
  );
  assert.deepEqual(
    await collectedAfterStop((reason) => ({
      name: reason.name,
      message: reason.message,
    })),
    [],
  );
  // R's message under another name.
  assert.equal(
    (await collectedAfterStop((reason) => new Error(reason.message))).length,
    1,
  );
  assert.equal(
    (await collectedAfterStop((reason) =>
      wrap(
        Object.assign(new Error(reason.message), { name: "TypeError" }),
        2,
      )
    )).length,
    1,
  );
  // R's name with another message.
  assert.equal(
    (await collectedAfterStop((reason) =>
      Object.assign(new Error("disk full"), { name: reason.name })
    )).length,
    1,
  );
  assert.equal(
    (await collectedAfterStop((reason) =>
      wrap(Object.assign(new Error("disk full"), { name: reason.name }), 2)
    )).length,
    1,
  );
});

test("graceful exit: a real GoroutineStoppedError that is not the reason is collected, even with the same name and message", async () => {
  const other = new GoroutineStoppedError();
  const errors = await collectedAfterStop((reason) => {
    assert.equal(other.name, reason.name);
    assert.equal(other.message, reason.message);
    return other;
  });
  assert.deepEqual(errors, [other]);
  assert.equal(
    (await collectedAfterStop(() => wrap(new GoroutineStoppedError(), 1)))
      .length,
    1,
  );
});

test("graceful exit: AbortError and String(reason) count at the top level only", async () => {
  assert.deepEqual(
    await collectedAfterStop(() => new DOMException("gone", "AbortError")),
    [],
  );
  assert.deepEqual(
    await collectedAfterStop(() =>
      Object.assign(new Error("gone"), { name: "AbortError" })
    ),
    [],
  );
  assert.deepEqual(
    await collectedAfterStop((reason) => new Error(String(reason))),
    [],
  );
  assert.equal(
    String(new GoroutineStoppedError()),
    "GoroutineStoppedError: Goroutines stopped",
  );
  assert.equal(
    (await collectedAfterStop(() =>
      wrap(new DOMException("gone", "AbortError"), 1)
    )).length,
    1,
  );
  assert.equal(
    (await collectedAfterStop((reason) => wrap(new Error(String(reason)), 1)))
      .length,
    1,
  );
});

test("graceful exit: nothing is graceful before the stop, nor after a parent abort that is not a stop", async () => {
  const manager = new GoroutineManager();
  const abortError = new DOMException("gone", "AbortError");
  manager.startForegroundGoroutine(() => {
    throw abortError;
  });
  await manager.wait();
  assert.deepEqual(manager.errors, [abortError]);

  const parent = new AbortController();
  const child = new GoroutineManager({ signal: parent.signal });
  const values = [
    new DOMException("gone", "AbortError"),
    Object.assign(new Error("Goroutines stopped"), {
      name: "GoroutineStoppedError",
    }),
  ];
  for (const value of values) {
    child.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      throw value;
    });
  }
  parent.abort(new DOMException("too slow", "TimeoutError"));
  await child.wait();
  assert.deepEqual(child.errors, values);
});

test("graceful exit: primitives and objects without the fields are collected once after a stop", async () => {
  for (
    const value of [
      "Goroutines stopped",
      "GoroutineStoppedError: Goroutines stopped",
      "AbortError",
      42,
      null,
      undefined,
    ]
  ) {
    const manager = new GoroutineManager();
    manager.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      throw value;
    });
    manager.stopAllGoroutines();
    await manager.wait();
    assert.equal(manager.errors.length, 1, String(value));
    assert.equal(manager.errors[0]?.cause, value);
  }
});
