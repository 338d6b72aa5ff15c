// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The exact std-style messages of GoroutineLimiter's and mapGoroutines()'s
// argument checks, for missing and wrong values alike, and that a mistake
// starts nothing.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineLimiter,
  GoroutineManager,
  mapGoroutines,
} from "goroutine-manager";

const LIMIT = "Cannot limit goroutines as";
const START = "Cannot start goroutine as";
const MAP = "Cannot map goroutines as";

/** Asserts that `fn` throws `Class` with exactly `message`. */
function throwsExactly(
  fn: () => unknown,
  Class: typeof TypeError | typeof RangeError,
  message: string,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof Class, `${String(error)} is a ${Class.name}`);
    assert.equal(error.message, message);
    return true;
  });
}

/** An object with a manager's start methods, but no manager. */
function lookAlike(): object {
  return {
    startForegroundGoroutine() {},
    startBackgroundGoroutine() {},
    createBackgroundPanicCollector() {},
  };
}

test("new GoroutineLimiter(): manager, limit and options mistakes", () => {
  const manager = new GoroutineManager();
  for (
    const [value, text] of [[undefined, "undefined"], [null, "null"], [
      42,
      "42",
    ], [{}, "[object Object]"]] as const
  ) {
    throwsExactly(
      () => new GoroutineLimiter(value as never, 1),
      TypeError,
      `${LIMIT} 'manager' must be a GoroutineManager: current value is ${text}`,
    );
  }
  // A look-alike (the methods without the manager) is refused up front too,
  // with the library's message, not a runtime TypeError at the first go().
  throwsExactly(
    () => new GoroutineLimiter(lookAlike() as never, 1),
    TypeError,
    `${LIMIT} 'manager' must be a GoroutineManager: current value is [object Object]`,
  );
  for (
    const [value, text] of [[0, "0"], [-1, "-1"], [1.5, "1.5"], [
      NaN,
      "NaN",
    ]] as const
  ) {
    throwsExactly(
      () => new GoroutineLimiter(manager, value),
      RangeError,
      `${LIMIT} 'limit' must be a positive integer or Infinity: current value is ${text}`,
    );
  }
  throwsExactly(
    () => new GoroutineLimiter(manager, "8" as never),
    TypeError,
    `${LIMIT} 'limit' must be a positive integer or Infinity: current value is "8"`,
  );
  throwsExactly(
    () => new GoroutineLimiter(manager, 1, 5 as never),
    TypeError,
    `${LIMIT} 'options' must be an object: current value is 5`,
  );
  for (const [value, text] of [["yes", '"yes"'], [1, "1"], [null, "null"]]) {
    throwsExactly(
      () => new GoroutineLimiter(manager, 1, { background: value as never }),
      TypeError,
      `${LIMIT} 'options.background' must be a boolean: current value is ${text}`,
    );
  }
  assert.equal(new GoroutineLimiter(manager, Infinity).limit, Infinity);
  // undefined is the default (foreground); false and true are taken as given.
  for (const background of [undefined, false, true]) {
    const own = new GoroutineManager();
    const options = background === undefined ? {} : { background };
    const limiter = new GoroutineLimiter(own, 1, options);
    limiter.go(() => new Promise<void>(() => {})); // runs until the end
    assert.equal(own.pending, background ? 0 : 1, `${background}`);
  }
});

test("limiter.limit and limiter.ready(): value mistakes", () => {
  const limiter = new GoroutineLimiter(new GoroutineManager(), 2);
  throwsExactly(
    () => {
      limiter.limit = -1;
    },
    RangeError,
    `${LIMIT} 'limit' must be a positive integer or Infinity: current value is -1`,
  );
  assert.equal(limiter.limit, 2);
  throwsExactly(
    () => limiter.ready(-1),
    RangeError,
    `${LIMIT} 'backlog' must be a non-negative integer or Infinity: current value is -1`,
  );
  throwsExactly(
    () => limiter.ready("x" as never),
    TypeError,
    `${LIMIT} 'backlog' must be a non-negative integer or Infinity: current value is "x"`,
  );
});

test("limiter.go() and tryGo(): task and options mistakes start nothing", () => {
  const manager = new GoroutineManager();
  const limiter = new GoroutineLimiter(manager, 1);
  const cases: [unknown, unknown, typeof TypeError, string][] = [
    [
      42,
      undefined,
      TypeError,
      `${START} 'fn' must be a function: current value is 42`,
    ],
    [
      () => {},
      42,
      TypeError,
      `${START} 'options' must be an object: current value is 42`,
    ],
    [
      () => {},
      { name: "" },
      TypeError,
      `${START} 'options.name' must be a non-empty string: current value is ""`,
    ],
    [
      () => {},
      { name: 7 },
      TypeError,
      `${START} 'options.name' must be a non-empty string: current value is 7`,
    ],
    [
      () => {},
      { signal: 1 },
      TypeError,
      `${START} 'options.signal' must be an AbortSignal: current value is 1`,
    ],
    [
      () => {},
      { timeout: -1 },
      RangeError,
      `${START} 'options.timeout' must be a non-negative number: current value is -1`,
    ],
    [
      () => {},
      { timeout: NaN },
      RangeError,
      `${START} 'options.timeout' must be a non-negative number: current value is NaN`,
    ],
    [
      () => {},
      { timeout: "1" },
      TypeError,
      `${START} 'options.timeout' must be a non-negative number: current value is "1"`,
    ],
  ];
  for (const [fn, options, Class, message] of cases) {
    throwsExactly(
      () => limiter.go(fn as never, options as never),
      Class,
      message,
    );
    throwsExactly(
      () => limiter.tryGo(fn as never, options as never),
      Class,
      message,
    );
  }
  assert.equal(limiter.active, 0);
  assert.equal(limiter.queued, 0);
  assert.equal(manager.pending, 0);
});

test("mapGoroutines(): manager, input, mapper and options mistakes", () => {
  const manager = new GoroutineManager();
  const id = (x: number) => x;
  for (
    const [value, text] of [[undefined, "undefined"], [null, "null"], [
      42,
      "42",
    ]] as const
  ) {
    throwsExactly(
      () => mapGoroutines(value as never, [1], id),
      TypeError,
      `${MAP} 'manager' must be a GoroutineManager: current value is ${text}`,
    );
    throwsExactly(
      () => mapGoroutines(lookAlike() as never, [1], id),
      TypeError,
      `${MAP} 'manager' must be a GoroutineManager: current value is [object Object]`,
    );
    throwsExactly(
      () => mapGoroutines(manager, value as never, id),
      TypeError,
      `${MAP} 'input' must be an iterable or async iterable: current value is ${text}`,
    );
  }
  throwsExactly(
    () => mapGoroutines(manager, [1], 42 as never),
    TypeError,
    `${MAP} 'mapper' must be a function: current value is 42`,
  );
  throwsExactly(
    () => mapGoroutines(manager, [1], id, 42 as never),
    TypeError,
    `${MAP} 'options' must be an object: current value is 42`,
  );
  throwsExactly(
    () => mapGoroutines(manager, [1], id, { limit: 0 }),
    RangeError,
    `${MAP} 'options.limit' must be a positive integer or Infinity: current value is 0`,
  );
  assert.equal(manager.pending, 0);
});
