// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// The JavaScript behaviours of GoroutineManager beyond the Go suite.

import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { GoroutineManager, GoroutineStoppedError } from "goroutine-manager";
import {
  aborted,
  countListeners,
  escapes,
  settlesNow,
  tick,
} from "./_helpers.ts";

// --- panics: what is collected, and that nothing escapes -------------------

test("GoroutineManager collects a synchronous throw and a rejection of foreground and background tasks", async () => {
  const m = new GoroutineManager();
  const errors = [
    new Error("fg sync"),
    new Error("fg async"),
    new Error("bg sync"),
    new Error("bg async"),
  ];
  m.startForegroundGoroutine(() => {
    throw errors[0];
  });
  m.startForegroundGoroutine(async () => {
    await null;
    throw errors[1];
  });
  m.startBackgroundGoroutine(() => {
    throw errors[2];
  });
  m.startBackgroundGoroutine(() => Promise.reject(errors[3]));
  await m.wait();
  await tick();
  assert.deepEqual(
    [...m.errors].sort((a, b) => a.message.localeCompare(b.message)),
    [...errors].sort((a, b) => a.message.localeCompare(b.message)),
  );
});

test("GoroutineManager.startForegroundGoroutine() never lets a task's throw reach the caller or become unhandled", async () => {
  const seen = await escapes(async () => {
    const m = new GoroutineManager();
    assert.doesNotThrow(() =>
      m.startForegroundGoroutine(() => {
        throw new Error("sync");
      })
    );
    m.startForegroundGoroutine(() => Promise.reject(new Error("async")));
    m.startBackgroundGoroutine(async () => {
      await sleep(1);
      throw new Error("later");
    });
    const collector = m.createBackgroundPanicCollector();
    collector.collect(new Error("collected"));
    await m.wait();
    await sleep(2);
    assert.equal(m.errors.length, 4);
  });
  assert.deepEqual(seen, []);
});

test("GoroutineManager wraps non-Error values in an Error whose cause is the value", async () => {
  const frozen = Object.freeze({ code: 7 });
  const badToString = {
    toString() {
      throw new Error("no string for you");
    },
  };
  const nullProto = Object.create(null);
  const symbol = Symbol("boom");
  const values: unknown[] = [
    "a string",
    undefined,
    null,
    42,
    frozen,
    badToString,
    nullProto,
    symbol,
    10n,
  ];
  const m = new GoroutineManager();
  for (const value of values) {
    m.startForegroundGoroutine(() => Promise.reject(value));
  }
  await m.wait();
  assert.equal(m.errors.length, values.length);
  m.errors.forEach((error, i) => {
    assert.ok(error instanceof Error);
    assert.equal(error.cause, values[i]);
    assert.match(error.message, /^Goroutine panicked with /);
  });
  assert.equal(
    m.errors[0]!.message,
    'Goroutine panicked with "a string"',
  );
  assert.equal(
    m.errors[1]!.message,
    "Goroutine panicked with undefined",
  );
  assert.equal(
    m.errors[5]!.message,
    "Goroutine panicked with [object Object]",
  );
  assert.equal(
    m.errors[7]!.message,
    "Goroutine panicked with Symbol(boom)",
  );
});

test("GoroutineManager keeps Error values as they are, frozen ones and subclasses included", async () => {
  const frozen = Object.freeze(new Error("frozen"));
  const typeError = new TypeError("type");
  const domException = new DOMException("dom", "DataError");
  const m = new GoroutineManager();
  for (const error of [frozen, typeError, domException]) {
    m.startForegroundGoroutine(() => {
      throw error;
    });
  }
  await m.wait();
  assert.deepEqual(m.errors, [frozen, typeError, domException]);
});

test("GoroutineManager follows thenables that are not native promises", async () => {
  const m = new GoroutineManager();
  const error = new Error("thenable rejected");
  const getterError = new Error("then getter threw");
  let resolved = false;
  m.startForegroundGoroutine(() => ({
    then(_ok: () => void, fail: (e: unknown) => void) {
      fail(error);
      fail(new Error("second call is ignored"));
    },
  }));
  m.startForegroundGoroutine(() => ({
    get then() {
      throw getterError;
    },
  }));
  m.startForegroundGoroutine(() => ({
    then(ok: () => void) {
      setTimeout(() => {
        resolved = true;
        ok();
      }, 0);
    },
  }));
  await m.wait();
  assert.equal(resolved, true);
  assert.deepEqual(m.errors, [getterError, error]);
});

// --- the stop reason and the signal ----------------------------------------

test("GoroutineManager.getErrGoroutineStopped() is a unique, non-frozen GoroutineStoppedError per manager", () => {
  const a = new GoroutineManager();
  const b = new GoroutineManager();
  const reason = a.getErrGoroutineStopped();
  assert.ok(reason instanceof GoroutineStoppedError);
  assert.ok(reason instanceof Error);
  assert.equal(reason.name, "GoroutineStoppedError");
  assert.equal(Object.isFrozen(reason), false);
  assert.equal(a.getErrGoroutineStopped(), reason);
  assert.notEqual(b.getErrGoroutineStopped(), reason);
});

test("GoroutineManager.stopAllGoroutines() aborts the signal with the stop reason", () => {
  const m = new GoroutineManager();
  m.stopAllGoroutines();
  assert.equal(m.signal.aborted, true);
  assert.equal(m.signal.reason, m.getErrGoroutineStopped());
  assert.throws(
    () => m.signal.throwIfAborted(),
    (e) => e === m.getErrGoroutineStopped(),
  );
  m.stopAllGoroutines(); // idempotent
  assert.equal(m.signal.reason, m.getErrGoroutineStopped());
});

test("GoroutineManager aborts the signal with its stop reason, not the error, when a task fails", async () => {
  const m = new GoroutineManager();
  const seenReasons: unknown[] = [];
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    seenReasons.push(signal.reason);
  });
  m.startBackgroundGoroutine(() => Promise.reject(new Error("fail")));
  await m.wait();
  assert.deepEqual(seenReasons, [m.getErrGoroutineStopped()]);
  assert.equal(m.errors.length, 1);
});

test("GoroutineManager passes every task a child of its signal that aborts with it, with the same reason", async () => {
  const m = new GoroutineManager();
  const signals: AbortSignal[] = [];
  const release = Promise.withResolvers<void>();
  const hold = (signal: AbortSignal) => {
    signals.push(signal);
    return release.promise; // all 200 in flight at once
  };
  for (let i = 0; i < 100; i++) {
    m.startForegroundGoroutine(hold);
    m.startBackgroundGoroutine(hold);
  }
  release.resolve();
  await m.wait();
  assert.equal(signals.length, 200);
  for (const signal of signals) {
    assert.ok(signal instanceof AbortSignal);
    assert.notEqual(signal, m.signal);
    assert.equal(signal.aborted, false);
  }
  // Shared by a few tasks in flight, not one per task and not one for all.
  const distinct = new Set(signals).size;
  assert.ok(distinct > 1 && distinct < 20, `${distinct} distinct signals`);
  // Tasks that finished free their place: later tasks reuse those signals.
  m.startForegroundGoroutine(hold);
  assert.ok(signals.slice(0, -1).includes(signals.at(-1)!));
  signals.pop();
  m.stopAllGoroutines();
  for (const signal of signals) {
    assert.equal(signal.aborted, true);
    assert.equal(signal.reason, m.getErrGoroutineStopped());
  }
  let late: AbortSignal | undefined;
  m.startForegroundGoroutine((signal) => void (late = signal));
  assert.equal(late?.aborted, true);
  assert.equal(late?.reason, m.getErrGoroutineStopped());
});

test("GoroutineManager: another manager's GoroutineStoppedError is not a graceful exit", async () => {
  const m = new GoroutineManager();
  const other = new GoroutineManager().getErrGoroutineStopped();
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw other;
  });
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw new Error("write failed", {
      cause: new DOMException("aborted", "AbortError"),
    });
  });
  m.stopAllGoroutines();
  await m.wait();
  assert.equal(m.errors.length, 2);
  assert.equal(m.errors[0], other);
  assert.equal(m.errors[1]?.message, "write failed");
});

// --- graceful exits ----------------------------------------------------------

test("GoroutineManager treats the stop reason, its cause chain and AbortError after a stop as graceful exits", async () => {
  const m = new GoroutineManager();
  const reason = m.getErrGoroutineStopped();
  // The stop reason itself, through throwIfAborted().
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    signal.throwIfAborted();
  });
  // An error whose cause chain contains the stop reason.
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw new Error("outer", { cause: new Error("inner", { cause: reason }) });
  });
  // node:timers/promises rejects with AbortError{ cause: reason }.
  m.startForegroundGoroutine((signal) => sleep(60_000, undefined, { signal }));
  // A DOMException AbortError (what fetch gives) and an Error named AbortError.
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw new DOMException("The operation was aborted", "AbortError");
  });
  m.startBackgroundGoroutine(async (signal) => {
    await aborted(signal);
    throw Object.assign(new Error("aborted"), { name: "AbortError" });
  });
  // Older workerd compat dates re-wrap the reason as new Error(String(reason)).
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw new Error(String(signal.reason));
  });
  // A copy of the reason that lost its identity (workerd clones it): same
  // name and message, not a GoroutineStoppedError instance.
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw Object.assign(new Error(signal.reason.message), {
      name: signal.reason.name,
    });
  });
  await tick();
  m.stopAllGoroutines();
  await m.wait();
  await tick();
  assert.deepEqual(m.errors, []);
  assert.equal(m.error, undefined);
});

test("GoroutineManager collects an AbortError thrown before any stop", async () => {
  const m = new GoroutineManager();
  const abortError = new DOMException("aborted elsewhere", "AbortError");
  m.startForegroundGoroutine(() => Promise.reject(abortError));
  await m.wait();
  assert.deepEqual(m.errors, [abortError]);
});

test("GoroutineManager collects other errors thrown after a stop", async () => {
  const m = new GoroutineManager();
  const error = new Error("cleanup failed");
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw error;
  });
  m.stopAllGoroutines();
  await m.wait();
  assert.deepEqual(m.errors, [error]);
});

test("GoroutineManager treats AbortError as graceful after a failure stopped it", async () => {
  const m = new GoroutineManager();
  const failure = new Error("first failure");
  m.startForegroundGoroutine((signal) => sleep(60_000, undefined, { signal }));
  m.startForegroundGoroutine(() => Promise.reject(failure));
  await m.wait();
  assert.deepEqual(m.errors, [failure]);
});

// --- the parent signal --------------------------------------------------------

test("GoroutineManager follows a parent signal with one listener, removed when the manager stops", () => {
  const parent = new AbortController();
  const listeners = countListeners(parent.signal);
  const managers = Array.from(
    { length: 3 },
    () => new GoroutineManager({ signal: parent.signal }),
  );
  assert.equal(listeners.count, 3);
  managers[0]!.stopAllGoroutines();
  assert.equal(listeners.count, 2);
  managers[1]!.createBackgroundPanicCollector().collect(new Error("fail"));
  assert.equal(listeners.count, 1);
  parent.abort();
  assert.equal(listeners.count, 0);
  assert.equal(managers[2]!.signal.aborted, true);
});

test("GoroutineManager aborts with the parent's reason, and that abort is not graceful", async () => {
  const parent = new AbortController();
  const m = new GoroutineManager({ signal: parent.signal });
  const timeout = new DOMException("request timed out", "TimeoutError");
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    signal.throwIfAborted(); // throws the parent's reason
  });
  m.startForegroundGoroutine((signal) => sleep(60_000, undefined, { signal })); // AbortError
  parent.abort(timeout);
  assert.equal(m.signal.reason, timeout);
  await m.wait();
  assert.equal(m.errors.length, 2);
  assert.equal(m.errors[0], timeout);
  assert.equal(m.errors[1]!.name, "AbortError");
  m.stopAllGoroutines(); // no effect after the parent's abort
  assert.equal(m.signal.reason, timeout);
});

test("GoroutineManager with an already aborted parent starts aborted and adds no listener", () => {
  const reason = new Error("gone");
  const parent = AbortSignal.abort(reason);
  const listeners = countListeners(parent);
  const m = new GoroutineManager({ signal: parent });
  assert.equal(m.signal.aborted, true);
  assert.equal(m.signal.reason, reason);
  assert.equal(listeners.count, 0);
});

// --- wait() --------------------------------------------------------------------

test("GoroutineManager.wait() resolves at once without foreground work and is not blocked by background work", async () => {
  const m = new GoroutineManager();
  assert.equal(await settlesNow(m.wait()), true);
  const never = Promise.withResolvers<void>();
  m.startBackgroundGoroutine(() => never.promise);
  m.createBackgroundPanicCollector();
  assert.equal(await settlesNow(m.wait()), true);
  never.resolve();
});

test("GoroutineManager.wait() never rejects, and every pending call resolves together", async () => {
  const m = new GoroutineManager();
  const release = Promise.withResolvers<void>();
  m.startForegroundGoroutine(async () => {
    await release.promise;
    throw new Error("fails");
  });
  const waits = [m.wait(), m.wait(), m.wait()];
  assert.equal(await settlesNow(Promise.any(waits)), false);
  release.resolve();
  const results = await Promise.allSettled(waits);
  assert.deepEqual(results.map((r) => r.status), [
    "fulfilled",
    "fulfilled",
    "fulfilled",
  ]);
  assert.equal(m.errors.length, 1);
});

test("GoroutineManager.wait() waits for a foreground collector until it is called", async () => {
  const m = new GoroutineManager();
  const collector = m.createForegroundPanicCollector();
  assert.equal(await settlesNow(m.wait()), false);
  collector.collect();
  assert.equal(await settlesNow(m.wait()), true);
  assert.equal(m.signal.aborted, false);
});

test("GoroutineManager runs tasks started after a stop with the aborted signal", async () => {
  const m = new GoroutineManager();
  m.stopAllGoroutines();
  await m.wait();
  let seen: AbortSignal | undefined;
  m.startForegroundGoroutine((signal) => {
    seen = signal;
    signal.throwIfAborted();
  });
  await m.wait();
  assert.equal(seen?.aborted, true);
  assert.equal(m.error, undefined);
});

// --- errors and error -----------------------------------------------------------

/** Reads `manager.error` afresh (no narrowing across reads by the type checker). */
function errorOf(manager: GoroutineManager): Error | undefined {
  return manager.error;
}

test("GoroutineManager.error is undefined, the one error, or an AggregateError of all in order", () => {
  const m = new GoroutineManager();
  assert.equal(errorOf(m), undefined);
  const first = new Error("first");
  m.createBackgroundPanicCollector().collect(first);
  assert.equal(errorOf(m), first);
  const second = new Error("second");
  m.createBackgroundPanicCollector().collect(second);
  const joined = errorOf(m);
  assert.ok(joined instanceof AggregateError);
  assert.deepEqual(joined.errors, [first, second]);
  assert.equal(
    errorOf(m),
    joined,
    "the same object until another error arrives",
  );
  const third = new Error("third");
  m.createBackgroundPanicCollector().collect(third);
  const all = errorOf(m);
  assert.ok(all instanceof AggregateError);
  assert.deepEqual(all.errors, [first, second, third]);
  assert.deepEqual(
    joined.errors,
    [first, second],
    "earlier aggregates are not changed",
  );
});

test("GoroutineManager.errors is a snapshot that callers cannot change", () => {
  const m = new GoroutineManager();
  const error = new Error("x");
  m.createBackgroundPanicCollector().collect(error);
  const snapshot = m.errors as Error[];
  snapshot.push(new Error("injected"));
  assert.deepEqual(m.errors, [error]);
});

// --- hooks --------------------------------------------------------------------

test("hooks.onAfterRecover runs once per collected error, before the stop, and not for graceful exits", async () => {
  const calls: Array<[string, boolean]> = [];
  const m = new GoroutineManager({
    hooks: {
      onAfterRecover: (error) => {
        calls.push([error.message, m.signal.aborted]);
      },
    },
  });
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    signal.throwIfAborted(); // graceful: no hook call
  });
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    throw new Error("second");
  });
  m.startForegroundGoroutine(() => Promise.reject(new Error("first")));
  await m.wait();
  assert.deepEqual(calls, [["first", false], ["second", true]]);
});

test("hooks.onAfterRecover throwing is collected too, and nothing else is lost", async () => {
  const hookError = new Error("hook failed");
  let calls = 0;
  const m = new GoroutineManager({
    hooks: {
      onAfterRecover: () => {
        calls++;
        throw hookError;
      },
    },
  });
  const first = new Error("first");
  const second = new Error("second");
  m.startForegroundGoroutine(() => Promise.reject(first));
  m.startForegroundGoroutine(() => Promise.reject(second));
  await m.wait();
  assert.equal(calls, 2);
  assert.deepEqual(m.errors, [first, hookError, second, hookError]);
  assert.equal(m.signal.reason, m.getErrGoroutineStopped());
});

// --- Symbol.asyncDispose ----------------------------------------------------------

test("GoroutineManager[Symbol.asyncDispose]() stops, waits, and resolves when nothing failed", async () => {
  const m = new GoroutineManager();
  let finished = false;
  m.startForegroundGoroutine(async (signal) => {
    await aborted(signal);
    await tick();
    finished = true;
  });
  await m[Symbol.asyncDispose]();
  assert.equal(finished, true);
  assert.equal(m.signal.reason, m.getErrGoroutineStopped());
});

test("GoroutineManager[Symbol.asyncDispose]() throws the collected error", async () => {
  const m = new GoroutineManager();
  const a = new Error("a");
  const b = new Error("b");
  m.startForegroundGoroutine(() => Promise.reject(a));
  m.startForegroundGoroutine(() => Promise.reject(b));
  await assert.rejects(m[Symbol.asyncDispose](), (error) => {
    assert.ok(error instanceof AggregateError);
    assert.deepEqual(error.errors, [a, b]);
    return true;
  });
});

// --- bad input -----------------------------------------------------------------------

test("GoroutineManager.start…Goroutine() throws a TypeError for a task that is not a function", () => {
  const m = new GoroutineManager();
  assert.throws(() => m.startForegroundGoroutine(42 as never), {
    name: "TypeError",
    message:
      "Cannot start goroutine as 'fn' must be a function: current value is 42",
  });
  assert.throws(() => m.startBackgroundGoroutine("run" as never), {
    name: "TypeError",
    message:
      `Cannot start goroutine as 'fn' must be a function: current value is "run"`,
  });
  assert.throws(() => m.startForegroundGoroutine(undefined as never), {
    name: "TypeError",
    message:
      "Cannot start goroutine as 'fn' must be a function: current value is undefined",
  });
  return m.wait().then(() => assert.equal(m.signal.aborted, false));
});

test("new GoroutineManager() throws a TypeError for options of the wrong type", () => {
  // No options object: the runtime's own TypeError, at once.
  assert.throws(() => new GoroutineManager(null as never), TypeError);
  assert.throws(
    () => new GoroutineManager({ signal: new AbortController() as never }),
    {
      name: "TypeError",
      message:
        /^Cannot create goroutine manager as 'signal' must be an AbortSignal: current value is /,
    },
  );
  assert.throws(() => new GoroutineManager({ signal: "stop" as never }), {
    name: "TypeError",
    message:
      `Cannot create goroutine manager as 'signal' must be an AbortSignal: current value is "stop"`,
  });
  assert.throws(() => new GoroutineManager({ hooks: 1 as never }), {
    name: "TypeError",
    message:
      "Cannot create goroutine manager as 'hooks' must be an object: current value is 1",
  });
  assert.throws(
    () => new GoroutineManager({ hooks: { onAfterRecover: true as never } }),
    {
      name: "TypeError",
      message:
        "Cannot create goroutine manager as 'hooks.onAfterRecover' must be a function: current value is true",
    },
  );
});

test("hooks.onAfterRecover that rethrows the error it was given does not collect it twice", async () => {
  const m = new GoroutineManager({
    hooks: {
      onAfterRecover: (error) => {
        throw error;
      },
    },
  });
  const failure = new Error("once");
  m.startForegroundGoroutine(() => Promise.reject(failure));
  await m.wait();
  assert.deepEqual(m.errors, [failure]);
  assert.equal(m.signal.reason, m.getErrGoroutineStopped());
});
