// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The error classes and the messages built for what tasks fail with: exact
// names, messages and causes, for every kind of value (the messages never
// throw to build, whatever the value does).

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineError,
  GoroutineManager,
  GoroutineStoppedError,
} from "goroutine-manager";

/** A value, and how a failure message describes it. */
const DESCRIBED: [label: string, make: () => unknown, text: string][] = [
  ["a string", () => "text", '"text"'],
  ["a string with quotes", () => 'say "hi"', '"say \\"hi\\""'],
  ["the empty string", () => "", '""'],
  ["a number", () => 42, "42"],
  ["a bigint", () => 10n, "10n"],
  ["undefined", () => undefined, "undefined"],
  ["null", () => null, "null"],
  ["a symbol", () => Symbol("s"), "Symbol(s)"],
  ["a plain object", () => ({ message: "plain" }), "[object Object]"],
  [
    "an object with its own toString",
    () => ({ toString: () => "mine" }),
    "mine",
  ],
  ["a null-prototype object", () => Object.create(null), "[object Object]"],
  [
    "an object whose toString throws",
    () => ({
      toString() {
        throw new Error("no");
      },
    }),
    "[object Object]",
  ],
  [
    "a revoked proxy",
    () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
    "[object Object]",
  ],
];

test("GoroutineError: name, goroutine, cause and message of an Error cause", () => {
  const cause = new TypeError("boom");
  const error = new GoroutineError("worker", cause);
  assert.ok(error instanceof GoroutineError);
  assert.ok(error instanceof Error);
  assert.equal(error.name, "GoroutineError");
  assert.equal(error.goroutine, "worker");
  assert.equal(error.cause, cause);
  assert.equal(error.message, 'Goroutine "worker" failed: boom');
  assert.equal(
    String(error),
    'GoroutineError: Goroutine "worker" failed: boom',
  );
});

test("GoroutineError: the name is quoted as JSON, the empty name too", () => {
  assert.equal(
    new GoroutineError('a "b"', new Error("x")).message,
    'Goroutine "a \\"b\\"" failed: x',
  );
  assert.equal(
    new GoroutineError("", new Error("x")).message,
    'Goroutine "" failed: x',
  );
});

test("GoroutineError: a cause that is not an Error is described", () => {
  for (const [label, make, text] of DESCRIBED) {
    const cause = make();
    const error = new GoroutineError("w", cause);
    assert.equal(
      error.message,
      `Goroutine "w" failed: Goroutine panicked with ${text}`,
      label,
    );
    assert.equal(error.cause, cause, label);
  }
});

test("GoroutineError: an Error whose message is not a string, or throws, is described", () => {
  const symbolMessage = Object.assign(new Error("x"), { message: Symbol("m") });
  const throwingMessage = Object.defineProperty(new Error("x"), "message", {
    get() {
      throw new Error("no message");
    },
  });
  const numberMessage = Object.assign(new Error("x"), { message: 7 });
  assert.equal(
    new GoroutineError("w", symbolMessage).message,
    'Goroutine "w" failed: Goroutine panicked with [object Object]',
  );
  assert.equal(
    new GoroutineError("w", throwingMessage).message,
    'Goroutine "w" failed: Goroutine panicked with [object Object]',
  );
  assert.equal(
    new GoroutineError("w", numberMessage).message,
    'Goroutine "w" failed: Goroutine panicked with Error: 7',
  );
  // An Error subclass keeps its own message.
  assert.equal(
    new GoroutineError("w", new RangeError("far")).message,
    'Goroutine "w" failed: far',
  );
});

test("GoroutineError: a goroutine name that is not a string is a TypeError naming it", () => {
  for (
    const [value, text] of [
      [42, "42"],
      [undefined, "undefined"],
      [null, "null"],
      [Symbol("q"), "Symbol(q)"],
    ] as const
  ) {
    assert.throws(() => new GoroutineError(value as never, new Error("x")), {
      name: "TypeError",
      message:
        `Cannot create goroutine error as 'goroutine' must be a string: current value is ${text}`,
    });
  }
});

test("GoroutineStoppedError: one fixed name and message", () => {
  const error = new GoroutineStoppedError();
  assert.ok(error instanceof Error);
  assert.equal(error.name, "GoroutineStoppedError");
  assert.equal(error.message, "Goroutines stopped");
  assert.equal(error.cause, undefined);
  assert.equal(String(error), "GoroutineStoppedError: Goroutines stopped");
  const manager = new GoroutineManager();
  assert.ok(manager.getErrGoroutineStopped() instanceof GoroutineStoppedError);
  assert.notEqual(manager.getErrGoroutineStopped(), error);
});

test("a failure that is not an Error is collected as an Error describing it, with the value as cause", async () => {
  const manager = new GoroutineManager();
  const values = DESCRIBED.map(([, make]) => make());
  for (const value of values) {
    manager.startForegroundGoroutine(() => {
      throw value;
    });
  }
  await manager.wait();
  assert.equal(manager.errors.length, DESCRIBED.length);
  DESCRIBED.forEach(([label, , text], i) => {
    const error = manager.errors[i];
    assert.ok(error instanceof Error, label);
    assert.equal(Object.getPrototypeOf(error), Error.prototype, label);
    assert.equal(error.message, `Goroutine panicked with ${text}`, label);
    assert.equal(error.cause, values[i], label);
  });
});

test("a failure that is an Error is collected as is; a named one is wrapped once", async () => {
  const manager = new GoroutineManager();
  const plain = new RangeError("plain");
  const named = new Error("named");
  manager.startForegroundGoroutine(() => {
    throw plain;
  });
  manager.startForegroundGoroutine(() => {
    throw named;
  }, { name: "job" });
  manager.startForegroundGoroutine(() => {
    throw "text";
  }, { name: "other" });
  await manager.wait();
  const [first, second, third] = manager.errors;
  assert.equal(first, plain);
  assert.ok(second instanceof GoroutineError);
  assert.equal(second.goroutine, "job");
  assert.equal(second.cause, named);
  assert.equal(second.message, 'Goroutine "job" failed: named');
  assert.ok(third instanceof GoroutineError);
  assert.equal(third.cause, "text");
  assert.equal(
    third.message,
    'Goroutine "other" failed: Goroutine panicked with "text"',
  );
});

test("manager.error: undefined, the one error, or an AggregateError counting them", async () => {
  const manager = new GoroutineManager();
  assert.equal(manager.error, undefined);
  const one = new Error("one");
  manager.startForegroundGoroutine(() => {
    throw one;
  });
  await manager.wait();
  assert.equal(manager.error, one);
  const two = new Error("two");
  const three = new Error("three");
  manager.startForegroundGoroutine(() => {
    throw two;
  });
  manager.startForegroundGoroutine(() => {
    throw three;
  });
  await manager.wait();
  // (Read as unknown: the asserts above narrowed manager.error for tsc.)
  const error: unknown = manager.error;
  assert.ok(error instanceof AggregateError);
  assert.equal(error.message, "3 errors collected");
  assert.deepEqual(error.errors, [one, two, three]);
});
