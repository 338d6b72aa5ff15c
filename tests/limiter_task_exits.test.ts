// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// A limited task cancelled by its own `signal` option: which exits are the
// cancellation echoing back (nothing collected, the manager goes on) and which
// are failures. The rules match the manager's graceful exits: the reason
// itself, an error whose `cause` chain contains it (16 deep at most), or an
// `AbortError` at the top level only.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineError,
  GoroutineLimiter,
  GoroutineManager,
} from "goroutine-manager";
import { aborted } from "./_helpers.ts";

/** An error whose `cause` chain reaches `value` after `depth` links. */
function wrap(value: unknown, depth: number): unknown {
  for (let i = 0; i < depth; i++) {
    value = new Error(`link ${depth - i}`, { cause: value });
  }
  return value;
}

/**
 * Runs one limited task with its own signal, aborts that signal with
 * `reason`, and lets the task fail with `make(reason)`: returns what the
 * manager collected, unwrapped (a task with options is a named goroutine, so
 * its failure is a GoroutineError whose cause is the value); nothing for an
 * exit on the cancellation.
 */
async function collected(
  make: (reason: unknown) => unknown,
  reason: unknown = new Error("cancelled"),
): Promise<unknown[]> {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const own = new AbortController();
  limiter.go(async (signal) => {
    await aborted(signal);
    throw make(signal.reason);
  }, { signal: own.signal });
  own.abort(reason);
  await manager.wait();
  assert.equal(limiter.active, 0);
  assert.equal(
    manager.signal.aborted,
    manager.errors.length > 0,
    "the manager stops exactly when something is collected",
  );
  return manager.errors.map((error) => {
    assert.ok(error instanceof GoroutineError);
    assert.equal(error.goroutine, "goroutine");
    return error.cause;
  });
}

test("limited task: the reason itself, or 1 to 16 causes deep, is an exit; 17 deep is a failure", async () => {
  for (let depth = 0; depth <= 16; depth++) {
    assert.deepEqual(await collected((r) => wrap(r, depth)), [], `${depth}`);
  }
  assert.equal((await collected((r) => wrap(r, 17))).length, 1);
});

test("limited task: a primitive reason thrown back is an exit; another value is a failure", async () => {
  assert.deepEqual(await collected((r) => r, "cancel"), []);
  assert.deepEqual(await collected((r) => wrap(r, 2), "cancel"), []);
  assert.deepEqual(await collected(() => "other", "cancel"), ["other"]);
});

test("limited task: an AbortError counts at the top level only", async () => {
  assert.deepEqual(
    await collected(() => new DOMException("gone", "AbortError")),
    [],
  );
  assert.deepEqual(
    await collected(() =>
      Object.assign(new Error("gone"), { name: "AbortError" })
    ),
    [],
  );
  const nested = new Error("write failed", {
    cause: new DOMException("gone", "AbortError"),
  });
  assert.deepEqual(await collected(() => nested), [nested]);
});

test("limited task: another error after its own cancellation is a failure", async () => {
  const other = new Error("disk full");
  assert.deepEqual(await collected(() => other), [other]);
  const named = new Error("cancelled");
  assert.deepEqual(await collected(() => named), [named]);
});

test("limited task: an error wrapped around its TimeoutError counts as the TimeoutError, collected and rejected", async () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const result = limiter.run(async (signal) => {
    await aborted(signal);
    throw new Error("fetch failed", { cause: signal.reason });
  }, { name: "job", timeout: 0 });
  await assert.rejects(result, (error) => {
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "TimeoutError");
    assert.equal(error.message, "Timed out after 0 ms");
    return true;
  });
  await manager.wait();
  assert.equal(manager.errors.length, 1);
  const [error] = manager.errors;
  assert.ok(error instanceof GoroutineError);
  assert.equal(error.message, 'Goroutine "job" failed: Timed out after 0 ms');
  assert.equal((error.cause as Error).name, "TimeoutError");
});
