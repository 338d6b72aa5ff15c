// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Promises of README.md (and of the exports' JSDoc) that an outside tester
// would check and that no other test file pinned down: found by an audit that
// probed every promise with adversarial inputs and re-entrant calls.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineManager,
  GoroutineWaitError,
  handleProcessSignals,
  type ProcessSignal,
  ShutdownCascade,
  waitFor,
} from "goroutine-manager";

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Resolves after `ms` ms of real time (tiny delays only). */
const sleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A fake `process` whose `emit()` calls the listeners synchronously, as
 * Node's `process.emit("SIGINT")` does, and records exit codes.
 */
function fakeProcess() {
  const listeners: [string, () => void][] = [];
  const exits: number[] = [];
  return {
    exits,
    count: () => listeners.length,
    emit(name: ProcessSignal): void {
      for (const [n, listener] of [...listeners]) if (n === name) listener();
    },
    api: {
      on(name: string, listener: () => void): void {
        listeners.push([name, listener]);
      },
      off(name: string, listener: () => void): void {
        const index = listeners.findIndex(([n, l]) =>
          n === name && l === listener
        );
        if (index !== -1) listeners.splice(index, 1);
      },
      exit(code: number): void {
        exits.push(code);
      },
    },
  };
}

/**
 * Calls `fn` with `globalThis.process` replaced (handleProcessSignals() reads
 * it only while it is called), and puts the real one back.
 */
function withProcess<T>(process: unknown, fn: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "process");
  try {
    Object.defineProperty(globalThis, "process", {
      value: process,
      configurable: true,
      writable: true,
    });
    return fn();
  } finally {
    if (saved) Object.defineProperty(globalThis, "process", saved);
    else delete (globalThis as Record<string, unknown>).process;
  }
}

test("handleProcessSignals(): a signal raised while `stop` runs is the second signal, not a second stop", () => {
  const proc = fakeProcess();
  const events: string[] = [];
  const handler = withProcess(proc.api, () =>
    handleProcessSignals((name) => {
      events.push(`stop ${name}`);
      proc.emit("SIGINT"); // e.g. a second Ctrl-C relayed synchronously
    }, { onRescue: (name) => void events.push(`rescue ${name}`) }));
  proc.emit("SIGTERM");
  assert.deepEqual(events, ["stop SIGTERM", "rescue SIGINT"]);
  assert.deepEqual(proc.exits, [130]);
  assert.equal(proc.count(), 0, "the second signal removed the listeners");
  assert.equal(handler.listening, false);
  assert.equal(handler.signal.aborted, true, "the first signal still aborts");
});

test("handleProcessSignals(): `stop` runs before the handler's signal aborts, once", () => {
  const proc = fakeProcess();
  const events: string[] = [];
  const handler = withProcess(proc.api, () =>
    handleProcessSignals(() => {
      events.push(`stop, aborted: ${handler.signal.aborted}`);
    }, { exitCode: null }));
  handler.signal.addEventListener("abort", () => events.push("abort"));
  proc.emit("SIGINT");
  assert.deepEqual(events, ["stop, aborted: false", "abort"]);
  proc.emit("SIGINT");
  assert.deepEqual(events, ["stop, aborted: false", "abort"]);
  assert.deepEqual(proc.exits, [], "exitCode: null does not exit");
  assert.equal(proc.count(), 0);
});

test("new GoroutineWaitError(): a sparse `running` array is not an array of infos", () => {
  const info = { name: "uploader", foreground: true, startedAt: 0 };
  // deno-lint-ignore no-sparse-arrays
  for (const running of [new Array(2), [info, , info]]) {
    assert.throws(() => new GoroutineWaitError(running, 0, "deadline"), {
      name: "TypeError",
      message:
        /^Cannot create GoroutineWaitError as 'running' must be an array of GoroutineInfo: current value is /,
    });
  }
  assert.equal(
    new GoroutineWaitError([info, info], 0, "deadline").message,
    `Gave up waiting for "uploader", "uploader"`,
  );
});

test("waitFor(): a timeout past 2^31 - 1 ms is capped, not fired at once", async () => {
  const manager = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  manager.startForegroundGoroutine(() => release.promise);
  let outcome = "pending";
  const waited = waitFor(manager, { timeout: 2 ** 32 }).then(
    () => outcome = "resolved",
    (error) => outcome = `rejected: ${error}`,
  );
  // An uncapped setTimeout overflows to about 1 ms on Node, Deno and Bun.
  await sleep(20);
  assert.equal(outcome, "pending");
  release.resolve();
  await waited;
  assert.equal(outcome, "resolved");
});

test("manager.signal aborts before the task signals, which abort in order with its reason", async () => {
  const manager = new GoroutineManager();
  const events: string[] = [];
  const release = Promise.withResolvers<void>();
  manager.startForegroundGoroutine((signal) => {
    signal.addEventListener("abort", () => events.push("foreground task"));
    return release.promise;
  });
  manager.startBackgroundGoroutine((signal) => {
    signal.addEventListener("abort", () => events.push("background task"));
    return release.promise;
  });
  manager.signal.addEventListener("abort", () => events.push("manager"));
  manager.stopAllGoroutines();
  assert.deepEqual(events, ["manager", "foreground task", "background task"]);
  release.resolve();
  await manager.wait();
});

test("PanicCollector.wrap(): only the first call of the wrapper counts", async () => {
  const manager = new GoroutineManager();
  const wrapped = manager.createForegroundPanicCollector().wrap(
    (fail: boolean) => {
      if (fail) throw new Error("second call");
    },
  );
  wrapped(false);
  wrapped(true);
  await manager.wait();
  assert.deepEqual(manager.errors, []);
  assert.equal(manager.signal.aborted, false);

  const other = new GoroutineManager();
  const rejecting = other.createForegroundPanicCollector().wrap(
    (fail: boolean) =>
      fail ? Promise.reject(new Error("first call")) : Promise.resolve(),
  );
  rejecting(true);
  rejecting(false);
  await other.wait();
  assert.deepEqual(other.errors.map((error) => error.message), ["first call"]);
  await tick();
});

test("handleProcessSignals(): [Symbol.dispose]() never throws, even if the runtime's off() does", () => {
  const off = () => {
    throw new Error("off() is not supported");
  };
  const proc = fakeProcess();
  let stops = 0;
  const disposed = withProcess(
    { ...proc.api, off },
    () => handleProcessSignals(() => void stops++),
  );
  assert.equal(disposed.listening, true);
  assert.doesNotThrow(() => disposed[Symbol.dispose]());
  assert.equal(disposed.listening, false);
  assert.equal(proc.count(), 2, "off() could not remove them");
  proc.emit("SIGINT");
  assert.equal(stops, 0, "a listener that could not be removed is inert");
  assert.equal(disposed.signal.aborted, false);

  // The second signal still calls onRescue and exits, once.
  const other = fakeProcess();
  const events: string[] = [];
  withProcess(
    { ...other.api, off },
    () =>
      handleProcessSignals(() => void events.push("stop"), {
        onRescue: () => void events.push("rescue"),
      }),
  );
  other.emit("SIGINT");
  assert.doesNotThrow(() => other.emit("SIGINT"));
  other.emit("SIGTERM");
  assert.deepEqual(events, ["stop", "rescue"]);
  assert.deepEqual(other.exits, [130]);
  assert.deepEqual(proc.exits, []);
});

test("ShutdownCascade.error is one object while no error is added, and is what await using throws", async () => {
  const app = new ShutdownCascade();
  const a = app.add("a");
  const b = app.add("b");
  b.startForegroundGoroutine(() => Promise.reject(new Error("b failed")));
  a.startForegroundGoroutine(() => Promise.reject(new Error("a failed")));
  await app.wait();
  const error = app.error;
  assert.ok(error instanceof AggregateError);
  assert.deepEqual(error.errors.map((e: Error) => e.message), [
    "a failed",
    "b failed",
  ]);
  assert.equal(app.error, error, "the same AggregateError each time");
  let thrown: unknown;
  try {
    await app[Symbol.asyncDispose]();
  } catch (caught) {
    thrown = caught;
  }
  assert.equal(thrown, error);

  // A later error (a collector reported after the drain) gives a new one.
  a.createBackgroundPanicCollector().collect(new Error("late"));
  const later = app.error;
  assert.notEqual(later, error);
  assert.ok(later instanceof AggregateError);
  assert.deepEqual(later.errors.map((e: Error) => e.message), [
    "a failed",
    "late",
    "b failed",
  ]);
  assert.equal(app.error, later);
});

test("graceful exits: a throwing getter hides only its own property from the rules", async () => {
  const throwing = <T extends object>(value: T, ...keys: string[]): T => {
    for (const key of keys) {
      Object.defineProperty(value, key, {
        get() {
          throw new Error(`${key} getter`);
        },
      });
    }
    return value;
  };
  const cases: [string, (reason: unknown) => unknown, number][] = [
    [
      "an AbortError whose cause getter throws",
      () => throwing(new DOMException("gone", "AbortError"), "cause"),
      0,
    ],
    [
      "an Error named AbortError whose message getter throws",
      () =>
        throwing(
          Object.assign(new Error("gone"), { name: "AbortError" }),
          "message",
        ),
      0,
    ],
    [
      "an error caused by the reason whose name and message getters throw",
      (reason) =>
        throwing(new Error("gone", { cause: reason }), "name", "message"),
      0,
    ],
    [
      "a clone of the reason whose cause getter throws",
      () =>
        throwing({
          name: "GoroutineStoppedError",
          message: "Goroutines stopped",
        }, "cause"),
      0,
    ],
    [
      "an Error whose every getter throws",
      () => throwing(new Error("gone"), "name", "message", "cause"),
      1,
    ],
  ];
  for (const [label, make, collected] of cases) {
    const manager = new GoroutineManager();
    manager.stopAllGoroutines();
    const value = make(manager.signal.reason);
    manager.startForegroundGoroutine(() => Promise.reject(value));
    await manager.wait();
    assert.equal(manager.errors.length, collected, label);
  }
});

test("PanicCollector.wrap(): the wrapper calls fn with its own this and arguments", async () => {
  const manager = new GoroutineManager();
  const target = new EventTarget();
  const seen: unknown[] = [];
  const wrapped = manager.createForegroundPanicCollector().wrap(
    function (this: unknown, event: Event) {
      seen.push(this, event.type);
    },
  );
  target.addEventListener("ping", wrapped);
  target.dispatchEvent(new Event("ping"));
  target.removeEventListener("ping", wrapped);
  await manager.wait();
  assert.deepEqual(seen, [target, "ping"]);
  assert.deepEqual(manager.errors, []);
});

test("graceful exits: a parent reason whose prototype cannot be read is no stop, and nothing throws", async () => {
  const parent = new AbortController();
  const reason = new Proxy({}, {
    getPrototypeOf() {
      throw new Error("getPrototypeOf trap");
    },
  });
  parent.abort(reason);
  const manager = new GoroutineManager({ signal: parent.signal });
  assert.equal(manager.signal.reason, reason);
  manager.startForegroundGoroutine(() => Promise.reject(reason));
  manager.startForegroundGoroutine(() => {
    throw new DOMException("gone", "AbortError");
  });
  await manager.wait();
  assert.equal(manager.errors.length, 2, "not a stop: both are failures");
  // The synchronous throw is collected first, the rejection a turn later.
  assert.equal(manager.errors[0]?.name, "AbortError");
  assert.equal(manager.errors[1]?.cause, reason);
});

test("hooks.onAfterRecover runs after the error is recorded: errors and error include it", async () => {
  const seen: [number, boolean, boolean][] = [];
  const manager = new GoroutineManager({
    hooks: {
      onAfterRecover: (error) => {
        seen.push([
          manager.errors.length,
          manager.errors.at(-1) === error,
          manager.error === error,
        ]);
      },
    },
  });
  manager.startForegroundGoroutine(() => {
    throw new Error("first");
  });
  await manager.wait();
  assert.deepEqual(seen, [[1, true, true]]);
});

test("waitFor(): giving up stops nothing; the work goes on and a later wait sees it finish", async () => {
  const manager = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  let finished = false;
  manager.startForegroundGoroutine(async (signal) => {
    await release.promise;
    finished = !signal.aborted;
  }, { name: "uploader" });
  const giveUp = new AbortController();
  giveUp.abort("enough");
  await assert.rejects(waitFor(manager, { signal: giveUp.signal }), {
    name: "GoroutineWaitError",
    message: `Gave up waiting for "uploader"`,
  });
  await assert.rejects(waitFor(manager, { timeout: 0 }), GoroutineWaitError);
  assert.equal(manager.signal.aborted, false);
  assert.equal(manager.pending, 1);
  release.resolve();
  await waitFor(manager, { timeout: 60_000 });
  assert.equal(finished, true);
  assert.deepEqual(manager.errors, []);
});
