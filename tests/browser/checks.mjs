// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// The Chromium checks of goroutine-manager, run by scripts/browser_tests.mjs
// in index.html. "goroutine-manager" is mapped (import map) to an esbuild
// bundle of the built npm package, imported as a browser imports it. The
// runner calls `await runChecks()`, which runs every check with fresh managers
// and returns `[{ name, ok, skipped?, detail?, message? }]`.
//
// Modelled on the Workers run (tests/workerd/worker.mjs, whose import-time
// probes and `using` module this page shares); browser-only parts: native
// `fetch` aborted by a stop, a manager in a dedicated module Worker stopped
// through postMessage. The page lifecycle (`pagehide`, `visibilitychange`) is
// driven by the runner on lifecycle.html.

// Evaluation order is import order: the probes run just before and just after
// the library, and report what it did while it was being evaluated.
import "./probe_start.mjs";
import * as library from "goroutine-manager";
import { importTime } from "./probe_end.mjs";
import {
  aborted,
  assert,
  CheckError,
  describe,
  equal,
  messages,
  runAll,
  Skip,
  sleep,
  sleepUntil,
  within,
} from "../workerd/_check.mjs";
import { addCommonChecks } from "../workerd/_common_checks.mjs";

const {
  dependentSignal,
  GoroutineError,
  GoroutineManager,
  GoroutineStoppedError,
  GoroutineWaitError,
  PanicCollector,
  ShutdownCascade,
  waitFor,
} = library;

/** Errors the page reported on its global scope (`error`, `unhandledrejection`). */
const reported = [];
addEventListener("error", (event) => {
  reported.push(`error: ${describe(event.error ?? event.message)}`);
});
addEventListener("unhandledrejection", (event) => {
  reported.push(`unhandledrejection: ${describe(event.reason)}`);
});

/** The checks, in order: [name, async () => detail | Skip | undefined]. */
const CHECKS = [];
const check = (name, fn) => CHECKS.push([name, fn]);

check("import: nothing done at import time (module scope)", () => {
  equal(importTime.calls.join(", "), "", "calls made while importing");
  equal(importTime.newGlobals.join(", "), "", "globals added by importing");
  for (
    const [name, value] of Object.entries({
      GoroutineManager,
      PanicCollector,
      waitFor,
      dependentSignal,
      ShutdownCascade,
      GoroutineError,
      GoroutineStoppedError,
      GoroutineWaitError,
    })
  ) {
    equal(typeof value, "function", `typeof ${name}`);
  }
  return `bundle exports: ${Object.keys(library).sort().join(", ")}`;
});

check("platform: the web-standard features the library relies on", () => {
  const missing = Object.entries({
    "AbortController": typeof AbortController === "function",
    "AbortSignal.timeout": typeof AbortSignal.timeout === "function",
    "AbortSignal.any": typeof AbortSignal.any === "function",
    "AbortSignal#throwIfAborted":
      typeof AbortSignal.prototype.throwIfAborted === "function",
    "Promise.withResolvers": typeof Promise.withResolvers === "function",
    "AggregateError with cause":
      new AggregateError([], "x", { cause: 1 }).cause === 1,
    "Symbol.dispose": typeof Symbol.dispose === "symbol",
    "Symbol.asyncDispose": typeof Symbol.asyncDispose === "symbol",
  }).filter(([, ok]) => !ok).map(([name]) => name);
  equal(missing.join(", "), "", "missing features");
  return navigator.userAgent;
});

addCommonChecks(check);
check(
  "graceful stop through native I/O: fetch(url, { signal }) and a streamed body",
  async () => {
    const manager = new GoroutineManager();
    const rejections = [];
    manager.startForegroundGoroutine(async (signal) => {
      try {
        await fetch("/hang", { signal }); // the server answers after 2 s
      } catch (error) {
        rejections.push(error);
        throw error;
      }
    });
    manager.startForegroundGoroutine(async (signal) => {
      try {
        const response = await fetch("/drip", { signal }); // headers, then a slow body
        await response.text();
      } catch (error) {
        rejections.push(error);
        throw error;
      }
    });
    await sleep(100);
    manager.stopAllGoroutines();
    await within(3000, manager.wait(), "wait()");
    const seen = rejections.map(describe).join("; ");
    equal(rejections.length, 2, `rejections (${seen})`);
    equal(manager.errors.length, 0, `collected errors (${seen})`);
    return `fetch rejected with ${seen}`;
  },
);

check(
  "a parent signal (AbortController) aborts the manager and is not graceful",
  async () => {
    const parent = new AbortController();
    const recovered = [];
    const manager = new GoroutineManager({
      signal: parent.signal,
      hooks: { onAfterRecover: (error) => recovered.push(error) },
    });
    manager.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      signal.throwIfAborted();
    });
    const reason = new Error("user navigated away");
    parent.abort(reason);
    equal(manager.signal.aborted, true, "manager aborted");
    equal(manager.signal.reason, reason, "manager's reason");
    await within(2000, manager.wait(), "wait()");
    equal(manager.errors.length, 1, `errors ${messages(manager)}`);
    equal(manager.errors[0], reason, "collected error");
    equal(recovered.length, 1, "onAfterRecover calls");
    const late = new GoroutineManager({ signal: parent.signal });
    equal(
      late.signal.aborted,
      true,
      "a manager of an aborted parent starts aborted",
    );
    equal(late.signal.reason, reason, "its reason");
  },
);

check(
  "a parent manager's graceful stop is graceful for its child",
  async () => {
    const parent = new GoroutineManager();
    const child = new GoroutineManager({ signal: parent.signal });
    child.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      signal.throwIfAborted();
    });
    child.startForegroundGoroutine((signal) => sleepUntil(10_000, signal));
    parent.stopAllGoroutines();
    equal(child.signal.aborted, true, "child aborted");
    equal(
      child.signal.reason,
      parent.getErrGoroutineStopped(),
      "child's reason",
    );
    await within(2000, child.wait(), "child.wait()");
    equal(child.errors.length, 0, `child's errors ${messages(child)}`);
  },
);

check(
  "an AbortSignal.timeout parent stops the manager with a TimeoutError",
  async () => {
    const manager = new GoroutineManager({ signal: AbortSignal.timeout(10) });
    manager.startForegroundGoroutine((signal) => sleepUntil(10_000, signal));
    await within(2000, manager.wait(), "wait()");
    equal(manager.errors.length, 1, `errors ${messages(manager)}`);
    equal(manager.errors[0].name, "TimeoutError", "collected error's name");
  },
);

check(
  "PanicCollector: foreground/background collectors, collect() and wrap()",
  async () => {
    const sync = new GoroutineManager();
    const syncFailure = new Error("sync throw");
    const wrappedSync = sync.createForegroundPanicCollector().wrap(() => {
      throw syncFailure;
    });
    equal(wrappedSync(), undefined, "the wrapper's return value");
    await within(2000, sync.wait(), "wait() after a sync throw");
    equal(sync.error, syncFailure, "collected sync throw");
    equal(sync.signal.aborted, true, "stopped by the sync throw");

    const rejected = new GoroutineManager();
    rejected.createBackgroundPanicCollector().wrap(async (id) => {
      await sleep(1);
      throw new Error(`rejection ${id}`);
    })(7);
    equal(rejected.pending, 0, "a background collector is not waited for");
    await sleep(10);
    equal(messages(rejected), '["rejection 7"]', "collected rejection");

    const clean = new GoroutineManager();
    const collector = clean.createForegroundPanicCollector();
    equal(collector instanceof PanicCollector, true, "a PanicCollector");
    collector.wrap((x) => Promise.resolve(x))(1);
    await within(2000, clean.wait(), "wait() after a success");
    equal(clean.pending, 0, "pending after a success");
    equal(clean.errors.length, 0, "errors after a success");

    const blocking = new GoroutineManager();
    const held = blocking.createForegroundPanicCollector();
    const gaveUp = await waitFor(blocking, { timeout: 10 }).then(
      () => false,
      () => true,
    );
    equal(gaveUp, true, "a foreground collector blocks wait()");
    held.collect(new Error("late failure"));
    await within(2000, blocking.wait(), "wait() after collect(error)");
    equal(messages(blocking), '["late failure"]', "collected");
  },
);

check(
  "waitFor: gives up after its timeout and when its signal aborts (GoroutineWaitError)",
  async () => {
    const manager = new GoroutineManager();
    const release = Promise.withResolvers();
    manager.startForegroundGoroutine(() => release.promise, { name: "stuck" });
    manager.startForegroundGoroutine(() => release.promise);
    manager.stopAllGoroutines();
    const error = await within(
      2000,
      waitFor(manager, { timeout: 30 }).then(() => undefined, (e) => e),
      "waitFor with a timeout",
    );
    assert(
      error instanceof GoroutineWaitError,
      `rejected with a GoroutineWaitError: ${describe(error)}`,
    );
    equal(error.running.map((info) => info.name).join(), "stuck", "running");
    equal(error.unnamed, 1, "unnamed");
    equal(error.cause?.name, "TimeoutError", "cause");
    release.resolve();
    await within(2000, manager.wait(), "wait() after the release");

    const quick = new GoroutineManager();
    quick.startForegroundGoroutine(() => sleep(5));
    await within(
      2000,
      waitFor(quick, { timeout: 1000 }),
      "waitFor before its timeout",
    );

    const rescue = new AbortController();
    const stuck = new GoroutineManager();
    const hold = Promise.withResolvers();
    stuck.startForegroundGoroutine(() => hold.promise, { name: "upload" });
    const waiting = waitFor(stuck, { signal: rescue.signal }).then(
      () => undefined,
      (e) => e,
    );
    const rescueReason = new Error("second Ctrl-C");
    rescue.abort(rescueReason);
    const rescued = await within(2000, waiting, "waitFor with a signal");
    assert(
      rescued instanceof GoroutineWaitError,
      `rejected with a GoroutineWaitError: ${describe(rescued)}`,
    );
    equal(rescued.cause, rescueReason, "cause after its signal aborted");
    equal(
      rescued.running.map((info) => info.name).join(),
      "upload",
      "running",
    );
    hold.resolve();
    await within(2000, stuck.wait(), "wait() after the release");
  },
);

check(
  "ShutdownCascade: dependents drain first; a failure starts the cascade",
  async () => {
    const events = [];
    const app = new ShutdownCascade();
    const db = app.add("db");
    const cache = app.add("cache", { dependsOn: ["db"] });
    const http = app.add("http", { dependsOn: ["db", "cache"] });
    for (
      const [name, manager] of [["db", db], ["cache", cache], ["http", http]]
    ) {
      manager.startForegroundGoroutine(async (signal) => {
        await aborted(signal);
        events.push(`${name} stopping`);
        await sleep(5);
        events.push(`${name} drained`);
      });
    }
    app.stop();
    await within(3000, app.wait(), "app.wait()");
    equal(
      events.join(", "),
      "http stopping, http drained, cache stopping, cache drained, db stopping, db drained",
      "order",
    );
    equal(app.error, undefined, "app.error after a graceful cascade");

    const failing = new ShutdownCascade();
    const store = failing.add("store");
    const api = failing.add("api", { dependsOn: ["store"] });
    const order = [];
    store.startForegroundGoroutine(async (signal) => {
      await aborted(signal);
      order.push("store stopped");
    });
    const failure = new Error("api crashed");
    api.startForegroundGoroutine(async () => {
      await sleep(5);
      order.push("api failed");
      throw failure;
    });
    await within(3000, failing.wait(), "failing.wait()");
    equal(
      order.join(", "),
      "api failed, store stopped",
      "order after a failure",
    );
    assert(
      failing.error !== undefined,
      "the cascade reports the manager's failure",
    );
    equal(failing.signal.aborted, true, "the cascade's signal aborted");
    return `error: ${describe(failing.error)}`;
  },
);

check(
  "dependentSignal: aborts after the upstream aborted and its dependencies drained, or at once on rescue",
  async () => {
    const hypervisor = new GoroutineManager();
    const resume = Promise.withResolvers();
    hypervisor.startForegroundGoroutine(() => resume.promise);
    const firecracker = dependentSignal(hypervisor.signal, {
      after: [hypervisor],
    });
    hypervisor.stopAllGoroutines();
    await sleep(1);
    equal(firecracker.aborted, false, "aborted while the drain runs");
    resume.resolve();
    await within(2000, hypervisor.wait(), "hypervisor.wait()");
    await within(2000, aborted(firecracker), "the dependent signal");
    equal(firecracker.reason, hypervisor.signal.reason, "reason");

    const interrupt = new AbortController();
    const rescue = new AbortController();
    const signal = dependentSignal(interrupt.signal, {
      after: [new Promise(() => {})],
      rescue: rescue.signal,
    });
    interrupt.abort();
    await sleep(1);
    equal(signal.aborted, false, "aborted before the rescue");
    const rescueReason = new Error("deadline");
    rescue.abort(rescueReason);
    equal(signal.aborted, true, "aborted at once by the rescue");
    equal(signal.reason, rescueReason, "the rescue's reason");
  },
);

check(
  "GoroutineLimiter and mapGoroutines: bounded concurrency, results in order, the first failure stops the map",
  async () => {
    const { GoroutineLimiter, mapGoroutines } = library;
    if (
      typeof GoroutineLimiter !== "function" ||
      typeof mapGoroutines !== "function"
    ) {
      return new Skip("this build does not export them");
    }
    const manager = new GoroutineManager();
    const limiter = new GoroutineLimiter(manager, 4);
    let running = 0;
    let most = 0;
    for (let i = 0; i < 20; i++) {
      limiter.go(async () => {
        most = Math.max(most, ++running);
        await sleep(1);
        running--;
      });
    }
    equal(limiter.active, 4, "active");
    equal(limiter.queued, 16, "queued");
    await within(3000, manager.wait(), "wait() (it waits for the queue too)");
    equal(most, 4, "most at once");
    equal(manager.error, undefined, "manager.error");

    const mapper = new GoroutineManager();
    const squares = await within(
      2000,
      mapGoroutines(mapper, [1, 2, 3, 4], async (n) => {
        await sleep(5 - n);
        return n * n;
      }, { limit: 2 }),
      "mapGoroutines",
    );
    equal(JSON.stringify(squares), "[1,4,9,16]", "results in input order");

    const failing = new GoroutineManager();
    const outcome = await within(
      2000,
      mapGoroutines(failing, [1, 2, 3], async (n) => {
        await sleep(1);
        if (n === 2) throw new Error(`item ${n} failed`);
        return n;
      }, { limit: 1 }).then(() => "resolved", (error) => error.message),
      "a failing mapGoroutines",
    );
    equal(outcome, "item 2 failed", "the map's rejection");
    await within(2000, failing.wait(), "wait() after the failure");
    equal(failing.error?.message, "item 2 failed", "collected");
  },
);

/** Whether this browser parses `using` and `await using` declarations. */
function usingSyntax() {
  try {
    new Function("{ using resource = null; }");
    const AsyncFunction = (async () => {}).constructor;
    new AsyncFunction("{ await using resource = null; }");
    return true;
  } catch {
    return false;
  }
}

check("using / await using (where the browser parses them)", async () => {
  if (!usingSyntax()) {
    return new Skip("this browser cannot parse `using` declarations");
  }
  // A computed specifier: served by the runner, not a file next to this one.
  const { awaitUsing, usingCollector } = await import(
    new URL("/workerd/await_using.mjs", location.href).href
  );
  const disposed = await within(2000, awaitUsing(), "await using");
  equal(disposed.stopped, true, "await using stopped the task");
  equal(disposed.thrownIsFailure, true, "await using threw the task's failure");
  const used = await within(2000, usingCollector(), "using collector");
  equal(used.pending, 0, "pending after the using block");
  equal(used.errors, 0, "errors");
  return "the syntax is parsed natively";
});

check(
  "waitUntil option: called per background task and collector with a promise that never rejects",
  async () => {
    const kept = [];
    let manager;
    try {
      manager = new GoroutineManager({ waitUntil: (p) => kept.push(p) });
    } catch (error) {
      throw new CheckError(
        `new GoroutineManager({ waitUntil }) threw ${describe(error)}`,
      );
    }
    const release = Promise.withResolvers();
    let backgroundDone = false;
    manager.startBackgroundGoroutine(async () => {
      await release.promise;
      backgroundDone = true;
    });
    if (kept.length === 0) {
      throw new CheckError(
        "waitUntil was not called when a background task started: the option is missing or ignored",
      );
    }
    manager.startForegroundGoroutine(() => sleep(1));
    const collector = manager.createBackgroundPanicCollector();
    equal(
      kept.length,
      2,
      "waitUntil calls (for a background task and a background collector, none for a foreground task)",
    );
    assert(
      kept.every((p) => typeof p?.then === "function"),
      "waitUntil got promises",
    );
    await within(2000, manager.wait(), "wait()");
    equal(backgroundDone, false, "wait() did not wait for background work");
    let settled = false;
    kept[0].then(() => settled = true);
    await sleep(1);
    equal(settled, false, "the promise settled before the background task");
    release.resolve();
    await within(2000, kept[0], "the background task's promise");
    equal(backgroundDone, true, "settled after the background task");
    collector.collect();
    await within(2000, kept[1], "the background collector's promise");

    const failed = [];
    const failing = new GoroutineManager({ waitUntil: (p) => failed.push(p) });
    failing.startBackgroundGoroutine(async () => {
      await sleep(1);
      throw new Error("background boom");
    });
    const outcome = await within(
      2000,
      failed[0].then(() => "resolved", (e) => `rejected with ${describe(e)}`),
      "a failed background task's promise",
    );
    equal(outcome, "resolved", "the promise of a failed task");
    equal(messages(failing), '["background boom"]', "collected by then");
  },
);

/** Sends `message` to `worker`; resolves with its next reply (or rejects on its error). */
function ask(worker, message) {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      worker.removeEventListener("message", onMessage);
      worker.removeEventListener("error", onError);
      worker.removeEventListener("messageerror", onError);
    };
    const onMessage = ({ data }) => {
      cleanup();
      resolve(data);
    };
    const onError = (event) => {
      cleanup();
      event.preventDefault?.();
      reject(
        new CheckError(
          `the worker reported ${event.type}: ${
            event.message ?? describe(event.error)
          } (${event.filename ?? "?"}:${event.lineno ?? "?"})`,
        ),
      );
    };
    worker.addEventListener("message", onMessage);
    worker.addEventListener("error", onError);
    worker.addEventListener("messageerror", onError);
    if (message !== undefined) worker.postMessage(message);
  });
}

check(
  "a manager in a dedicated module Worker, stopped from the page through postMessage",
  async () => {
    const worker = new Worker("/worker.mjs", { type: "module" });
    try {
      const ready = await within(
        5000,
        ask(worker),
        "the worker's ready message",
      );
      equal(ready.type, "ready", "first message");

      const started = await within(
        2000,
        ask(worker, { type: "start" }),
        "start",
      );
      equal(started.pending, 1, "pending in the worker (the foreground task)");
      const stopped = await within(2000, ask(worker, { type: "stop" }), "stop");
      equal(stopped.reasonIsOwn, true, "stopped with its own reason");
      equal(stopped.errors.join(), "", "collected errors");
      equal(
        JSON.stringify(stopped.state),
        '{"foreground":"stopped","background":"stopped"}',
        "tasks",
      );
      equal(stopped.pending, 0, "pending after wait()");

      await within(2000, ask(worker, { type: "start", fail: true }), "start");
      const failed = await within(2000, ask(worker, { type: "wait" }), "wait");
      equal(
        failed.errors.join(),
        "worker failure",
        "collected errors after a failure",
      );
      equal(
        JSON.stringify(failed.state),
        '{"foreground":"stopped","background":"stopped"}',
        "the other tasks after the failure",
      );
      equal(failed.reported.join("; "), "", "errors reported in the worker");
      return "graceful stop: nothing collected; a failing task: its error, sent back by postMessage";
    } finally {
      worker.terminate();
    }
  },
);

check("no uncaught error or unhandled rejection on the page", async () => {
  await sleep(20);
  equal(reported.join("; "), "", "reported");
});

/** Runs every check; the runner awaits this through `page.evaluate`. */
globalThis.runChecks = () => runAll(CHECKS);
globalThis.checksReady = true;
