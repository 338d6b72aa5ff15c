// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file explicit-module-boundary-types
//
// The checks that the Workers run (worker.mjs) and the Chromium page
// (tests/browser/checks.mjs, served this folder at /workerd/) share word for
// word: the lifecycle of one manager, as the
// README promises it, on a web platform. Each host registers them with its own
// `check(name, fn)`, in its own order.

import {
  GoroutineError,
  GoroutineManager,
  GoroutineStoppedError,
} from "goroutine-manager";
import {
  aborted,
  assert,
  describe,
  equal,
  messages,
  sleep,
  sleepUntil,
  within,
} from "./_check.mjs";

/** Registers the shared checks through `check(name, fn)`. */
export function addCommonChecks(check) {
  check(
    "foreground tasks are waited for, background tasks are not",
    async () => {
      const manager = new GoroutineManager();
      let foregroundDone = false;
      let backgroundStopped = false;
      manager.startForegroundGoroutine(async () => {
        await sleep(5);
        foregroundDone = true;
      });
      manager.startBackgroundGoroutine(async (signal) => {
        await aborted(signal);
        backgroundStopped = true;
      });
      equal(manager.pending, 1, "pending");
      await within(2000, manager.wait(), "wait()");
      equal(foregroundDone, true, "foreground task finished before wait()");
      equal(
        manager.signal.aborted,
        false,
        "signal aborted after a clean finish",
      );
      equal(
        backgroundStopped,
        false,
        "background task stopped before the stop",
      );
      manager.stopAllGoroutines();
      await sleep(0);
      equal(backgroundStopped, true, "background task saw the stop");
      equal(manager.errors.length, 0, "errors");
    },
  );

  check("a failure stops the others and is collected", async () => {
    const recovered = [];
    const manager = new GoroutineManager({
      hooks: { onAfterRecover: (error) => recovered.push(error) },
    });
    let foregroundStopped = false;
    let backgroundStopped = false;
    manager.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      foregroundStopped = true;
      signal.throwIfAborted();
    });
    manager.startBackgroundGoroutine(async (signal) => {
      await aborted(signal);
      backgroundStopped = true;
      throw signal.reason;
    });
    const failure = new Error("boom");
    manager.startForegroundGoroutine(async () => {
      await sleep(5);
      throw failure;
    });
    await within(2000, manager.wait(), "wait()");
    await sleep(0);
    equal(foregroundStopped, true, "foreground task stopped");
    equal(backgroundStopped, true, "background task stopped");
    equal(manager.errors.length, 1, `errors ${messages(manager)}`);
    equal(manager.error, failure, "manager.error");
    equal(recovered.length, 1, "onAfterRecover calls");
    equal(
      manager.signal.reason,
      manager.getErrGoroutineStopped(),
      "signal.reason",
    );
    assert(
      manager.signal.reason instanceof GoroutineStoppedError,
      "the stop reason is a GoroutineStoppedError",
    );
  });

  check(
    "every failure is collected in order; named ones as GoroutineError",
    async () => {
      const manager = new GoroutineManager();
      manager.startForegroundGoroutine(async () => {
        await sleep(1);
        throw new Error("connection reset");
      }, { name: "sync-users" });
      equal(
        JSON.stringify(
          manager.running.map(({ name, foreground }) => [name, foreground]),
        ),
        '[["sync-users",true]]',
        "running",
      );
      manager.startBackgroundGoroutine(() => {
        throw "a string";
      });
      equal(manager.signal.aborted, true, "aborted by the synchronous throw");
      await within(2000, manager.wait(), "wait()");
      const [first, second] = manager.errors;
      equal(manager.errors.length, 2, `errors ${messages(manager)}`);
      equal(first.cause, "a string", "first error's cause");
      assert(
        second instanceof GoroutineError,
        `second error is a GoroutineError: ${describe(second)}`,
      );
      equal(second.goroutine, "sync-users", "goroutine name");
      equal(second.cause?.message, "connection reset", "named error's cause");
      assert(
        manager.error instanceof AggregateError,
        "manager.error is an AggregateError",
      );
      equal(manager.running.length, 0, "running after wait()");
    },
  );

  check(
    "graceful stop collects nothing (throwIfAborted, the reason, AbortError, a wrapped cause)",
    async () => {
      const manager = new GoroutineManager();
      manager.startForegroundGoroutine(async (signal) => {
        await aborted(signal);
        signal.throwIfAborted();
      });
      manager.startForegroundGoroutine(async (signal) => {
        await aborted(signal);
        throw signal.reason;
      });
      manager.startForegroundGoroutine(async (signal) => {
        await aborted(signal);
        throw new DOMException("The operation was aborted", "AbortError");
      });
      manager.startForegroundGoroutine(async (signal) => {
        await aborted(signal);
        throw new Error("wrapped", { cause: signal.reason });
      });
      manager.startForegroundGoroutine((signal) => sleepUntil(10_000, signal));
      manager.startBackgroundGoroutine(async (signal) => {
        await aborted(signal);
        signal.throwIfAborted();
      });
      equal(manager.pending, 5, "pending");
      manager.stopAllGoroutines();
      manager.stopAllGoroutines();
      await within(2000, manager.wait(), "wait()");
      await sleep(0);
      equal(manager.errors.length, 0, `errors ${messages(manager)}`);
      equal(manager.error, undefined, "manager.error");
      equal(manager.pending, 0, "pending after wait()");
    },
  );
}
