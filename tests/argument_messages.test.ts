// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The exact std-style messages of the core's argument checks ("Cannot
// {action} as '{name}' must be {expected}: current value is {value}"), what
// the checks accept, and the default name of a named goroutine.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineManager,
  type GoroutineManagerOptions,
  type GoroutineOptions,
  PanicCollector,
} from "goroutine-manager";

const CREATE = "Cannot create goroutine manager as";
const START = "Cannot start goroutine as";

test("new GoroutineManager(): each mistake is a TypeError with the exact message", () => {
  const cases: [unknown, string][] = [
    [42, `${CREATE} 'options' must be an object: current value is 42`],
    ["x", `${CREATE} 'options' must be an object: current value is "x"`],
    [null, `${CREATE} 'options' must be an object: current value is null`],
    [
      { signal: 0 },
      `${CREATE} 'signal' must be an AbortSignal: current value is 0`,
    ],
    [{ hooks: 1 }, `${CREATE} 'hooks' must be an object: current value is 1`],
    [
      { hooks: { onAfterRecover: 3 } },
      `${CREATE} 'hooks.onAfterRecover' must be a function: current value is 3`,
    ],
    [
      { waitUntil: 0 },
      `${CREATE} 'waitUntil' must be a function: current value is 0`,
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => new GoroutineManager(options as GoroutineManagerOptions),
      { name: "TypeError", message },
    );
  }
});

test("new GoroutineManager(): hooks without onAfterRecover, and undefined options, are accepted", async () => {
  const options: unknown[] = [
    undefined,
    {},
    { hooks: {} },
    { hooks: { onAfterRecover: undefined } },
    { signal: undefined, waitUntil: undefined, hooks: undefined },
  ];
  for (const value of options) {
    const manager = new GoroutineManager(value as GoroutineManagerOptions);
    const error = new Error("boom");
    manager.startForegroundGoroutine(() => {
      throw error;
    });
    await manager.wait();
    assert.deepEqual(manager.errors, [error]);
  }
});

test("start…Goroutine(): each mistake is a TypeError with the exact message, and starts nothing", () => {
  const manager = new GoroutineManager();
  const cases: [unknown, unknown, string][] = [
    [42, undefined, `${START} 'fn' must be a function: current value is 42`],
    [() => {}, 42, `${START} 'options' must be an object: current value is 42`],
    [
      () => {},
      "worker",
      `${START} 'options' must be an object: current value is "worker"`,
    ],
    [
      () => {},
      { name: "" },
      `${START} 'options.name' must be a non-empty string: current value is ""`,
    ],
    [
      () => {},
      { name: 42 },
      `${START} 'options.name' must be a non-empty string: current value is 42`,
    ],
  ];
  for (const [fn, options, message] of cases) {
    for (
      const start of [
        manager.startForegroundGoroutine,
        manager.startBackgroundGoroutine,
      ]
    ) {
      assert.throws(
        () =>
          start.call(
            manager,
            fn as () => void,
            options as GoroutineOptions,
          ),
        { name: "TypeError", message },
      );
    }
  }
  assert.equal(manager.pending, 0);
  assert.deepEqual(manager.running, []);
});

test("a named goroutine without a name takes fn.name, or 'goroutine' when fn.name is empty or not a string", () => {
  const manager = new GoroutineManager();
  const hold = Promise.withResolvers<void>();
  const task = () => hold.promise;
  manager.startForegroundGoroutine(function worker() {
    return hold.promise;
  }, {});
  manager.startForegroundGoroutine(
    Object.defineProperty(() => hold.promise, "name", { value: "" }),
    {},
  );
  manager.startForegroundGoroutine(
    Object.defineProperty(() => hold.promise, "name", { value: 42 }),
    {},
  );
  manager.startForegroundGoroutine(
    Object.defineProperty(() => hold.promise, "name", { value: undefined }),
    {},
  );
  manager.startForegroundGoroutine(task, { name: "given" });
  assert.deepEqual(manager.running.map((info) => info.name), [
    "worker",
    "goroutine",
    "goroutine",
    "goroutine",
    "given",
  ]);
  hold.resolve();
  return manager.wait();
});

test("new PanicCollector(): each handler must be a function, with the exact message", () => {
  const ok = () => {};
  assert.throws(() => new PanicCollector(42 as never, ok), {
    name: "TypeError",
    message:
      "Cannot create panic collector as 'onDone' must be a function: current value is 42",
  });
  assert.throws(() => new PanicCollector(ok, "x" as never), {
    name: "TypeError",
    message:
      `Cannot create panic collector as 'onFail' must be a function: current value is "x"`,
  });
});
