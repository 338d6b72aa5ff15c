// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// The Cloudflare Workers (workerd) checks of goroutine-manager, run by
// scripts/workerd_tests.mjs. "goroutine-manager" is an esbuild bundle of
// mod.ts that the runner adds to the module list. Each request to /run runs
// every check with fresh managers and answers
// `{ date, results: [{ name, ok, detail | message }] }`.
//
// Bindings: DATE (the compatibility date), EXPECT (JSON: the platform
// semantics this date is meant to cover) and SELF (a service binding to this
// worker, for subrequests: native I/O, work after the response, concurrency).
//
// Other routes, used through SELF: /hang (answers after 2 s), /bg (starts
// work that outlives its response), /mini (one small manager per request).

// Evaluation order is import order: the probes run just before and just after
// the library, at global scope, where workerd forbids timers and I/O.
import "./probe_start.mjs";
import * as library from "goroutine-manager";
import { importTime } from "./probe_end.mjs";
// Shared with the Chromium checks (tests/browser/, which load them from /workerd/).
import {
  aborted,
  assert,
  CheckError,
  describe,
  equal,
  messages,
  sleep,
  sleepUntil,
  within,
} from "./_check.mjs";
import { addCommonChecks } from "./_common_checks.mjs";

const {
  GoroutineError,
  GoroutineManager,
  GoroutineStoppedError,
  GoroutineWaitError,
  PanicCollector,
  waitFor,
} = library;

/** Errors workerd reported on the global scope (`error`, `unhandledrejection`). */
const reported = [];
addEventListener("error", (event) => {
  reported.push(`error: ${describe(event.error ?? event.message)}`);
});
addEventListener("unhandledrejection", (event) => {
  reported.push(`unhandledrejection: ${describe(event.reason)}`);
});

/** Outcomes of /bg requests, by id: work that finishes after its response. */
const background = new Map();

/** The message of every error thrown by the checks' own abort listeners. */
const LISTENER_BOOM = "listener boom";

/** Adds an abort listener that throws, as careless user code would. */
function addThrowingListener(signal) {
  const error = new Error(`${LISTENER_BOOM} (a user's abort listener)`);
  signal.addEventListener("abort", () => {
    throw error;
  });
  return error;
}

/** Whether this compat date's `abort()` throws a listener's error to its caller. */
function abortThrows() {
  const controller = new AbortController();
  controller.signal.addEventListener("abort", () => {
    throw new Error(`${LISTENER_BOOM} (platform probe)`);
  });
  try {
    controller.abort();
    return false;
  } catch {
    return true;
  }
}

/** How `scheduler.wait` rejects after `abort(reason)`: the reason, a clone, or a new Error. */
async function nativeRejection(reason) {
  const controller = new AbortController();
  const rejection = scheduler.wait(10_000, { signal: controller.signal }).then(
    () => undefined,
    (error) => error,
  );
  controller.abort(reason);
  const error = await rejection;
  if (error === reason) return "identical";
  if (error?.name === reason.name && error?.message === reason.message) {
    return "cloned";
  }
  if (error?.message === String(reason)) return "rewrapped";
  return `other: ${describe(error)}`;
}

/** The checks, in order: [name, async (env) => detail?]. */
const CHECKS = [];
const check = (name, fn) => CHECKS.push([name, fn]);

check("import: nothing done at import time (global scope)", () => {
  equal(importTime.calls.join(", "), "", "calls made while importing");
  equal(importTime.newGlobals.join(", "), "", "globals added by importing");
  for (
    const [name, value] of Object.entries({
      GoroutineManager,
      PanicCollector,
      waitFor,
      GoroutineError,
      GoroutineStoppedError,
      GoroutineWaitError,
    })
  ) {
    equal(typeof value, "function", `typeof ${name}`);
  }
  return `bundle exports: ${Object.keys(library).sort().join(", ")}`;
});

check(
  "platform: this compat date has the semantics it is meant to cover",
  async (env) => {
    const expect = JSON.parse(env.EXPECT);
    const actual = {
      abortThrows: abortThrows(),
      weakRef: typeof WeakRef === "function",
      nativeReason: await nativeRejection(new GoroutineStoppedError()),
    };
    equal(JSON.stringify(actual), JSON.stringify(expect), "platform semantics");
    return `abort() with a throwing listener ${
      actual.abortThrows ? "throws to its caller" : "does not throw"
    }; WeakRef ${actual.weakRef ? "defined" : "undefined"}; ` +
      `native I/O rejects with a ${actual.nativeReason} abort reason`;
  },
);

addCommonChecks(check);

/** A foreground task that awaits native I/O with the manager's signal, then a stop. */
async function gracefulThroughNativeIo(io) {
  const manager = new GoroutineManager();
  let rejection;
  manager.startForegroundGoroutine(async (signal) => {
    try {
      await io(signal);
    } catch (error) {
      rejection = error;
      throw error;
    }
  });
  await sleep(20);
  manager.stopAllGoroutines();
  await within(3000, manager.wait(), "wait()");
  const seen = `the task rejected with ${describe(rejection)}`;
  // Without the `enhanced_error_serialization` compat flag (default from
  // 2026-04-21), workerd rejects with `new Error(String(reason))`: neither the
  // reason's name nor a cause is left to recognise the stop by.
  equal(manager.errors.length, 0, `collected errors (${seen})`);
  return seen;
}

check(
  "graceful stop through native I/O: scheduler.wait(ms, { signal })",
  () => gracefulThroughNativeIo((signal) => scheduler.wait(10_000, { signal })),
);

check(
  "graceful stop through native I/O: fetch over a service binding",
  (env) =>
    gracefulThroughNativeIo(async (signal) => {
      const response = await env.SELF.fetch("https://self/hang", { signal });
      await response.text();
    }),
);

check(
  "a parent signal (request-scoped controller) aborts the manager and is not graceful",
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
    const reason = new Error("request cancelled");
    parent.abort(reason);
    equal(manager.signal.aborted, true, "manager aborted");
    equal(manager.signal.reason, reason, "manager's reason");
    await within(2000, manager.wait(), "wait()");
    equal(manager.errors.length, 1, `errors ${messages(manager)}`);
    equal(manager.errors[0], reason, "collected error");
    equal(recovered.length, 1, "onAfterRecover calls");
    manager.stopAllGoroutines();
    equal(
      manager.signal.reason,
      reason,
      "reason after a later stopAllGoroutines()",
    );
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
  "an AbortSignal.timeout parent (in a request) stops the manager with a TimeoutError",
  async () => {
    const manager = new GoroutineManager({ signal: AbortSignal.timeout(10) });
    manager.startForegroundGoroutine((signal) => sleepUntil(10_000, signal));
    await within(2000, manager.wait(), "wait()");
    equal(manager.errors.length, 1, `errors ${messages(manager)}`);
    equal(manager.errors[0].name, "TimeoutError", "collected error's name");
  },
);

check(
  "PanicCollector: collect(), collect(error) and wrap() (sync throw, rejection, success)",
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
    const rejection = new Error("rejection");
    rejected.createBackgroundPanicCollector().wrap(async (id) => {
      await sleep(1);
      throw new Error(`${rejection.message} ${id}`);
    })(7);
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
    held.collect(undefined);
    held.collect(new Error("ignored"));
    await within(2000, blocking.wait(), "wait() after collect(undefined)");
    equal(blocking.errors.length, 1, "collect(undefined) is a failure");
  },
);

check("using / await using (syntax parsed by workerd)", async () => {
  const { awaitUsing, usingCollector } = await import("./await_using.mjs");
  const disposed = await within(2000, awaitUsing(), "await using");
  equal(disposed.stopped, true, "await using stopped the task");
  equal(disposed.thrownIsFailure, true, "await using threw the task's failure");
  const used = await within(2000, usingCollector(), "using collector");
  equal(used.pending, 0, "pending after the using block");
  equal(used.errors, 0, "errors");
});

check(
  "waitFor(manager, { timeout }) gives up with its own timer inside a request",
  async () => {
    const manager = new GoroutineManager();
    const release = Promise.withResolvers();
    manager.startForegroundGoroutine(() => release.promise, { name: "stuck" });
    manager.startForegroundGoroutine(() => release.promise);
    manager.stopAllGoroutines();
    const started = Date.now();
    const error = await within(
      2000,
      waitFor(manager, { timeout: 30 }).then(() => undefined, (e) => e),
      "waitFor",
    );
    const elapsed = Date.now() - started;
    assert(
      error instanceof GoroutineWaitError,
      `rejected with a GoroutineWaitError: ${describe(error)}`,
    );
    equal(error.running.map((info) => info.name).join(), "stuck", "running");
    equal(error.unnamed, 1, "unnamed");
    equal(error.cause?.name, "TimeoutError", "cause");
    assert(
      elapsed >= 25,
      `gave up after ${elapsed} ms, before its 30 ms timeout`,
    );
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
    stuck.startForegroundGoroutine(() => hold.promise);
    const waiting = waitFor(stuck, { signal: rescue.signal }).then(
      () => undefined,
      (e) => e,
    );
    const rescueReason = new Error("second Ctrl-C");
    rescue.abort(rescueReason);
    const rescued = await within(2000, waiting, "waitFor with a signal");
    equal(
      rescued?.cause,
      rescueReason,
      "waitFor's cause after its signal aborted",
    );
    hold.resolve();
    await stuck.wait();
    return `gave up after ${elapsed} ms`;
  },
);

check(
  "a throwing abort listener: stopAllGoroutines() does not throw; every task still stops",
  async () => {
    const throws = abortThrows();
    const manager = new GoroutineManager();
    let early = false;
    let polled = false;
    manager.startForegroundGoroutine(async (signal) => {
      await aborted(signal); // its listener comes before the throwing one
      early = true;
    });
    const boom = addThrowingListener(manager.signal);
    manager.startForegroundGoroutine(async (signal) => {
      while (!signal.aborted) await sleep(1);
      polled = true;
    });
    try {
      manager.stopAllGoroutines();
    } catch (error) {
      throw new CheckError(`stopAllGoroutines() threw ${describe(error)}`);
    }
    equal(
      manager.signal.reason,
      manager.getErrGoroutineStopped(),
      "signal.reason",
    );
    await within(2000, manager.wait(), "wait()");
    equal(
      early,
      true,
      "the task listening before the throwing listener stopped",
    );
    equal(polled, true, "the task polling signal.aborted stopped");
    if (throws) {
      equal(messages(manager), JSON.stringify([boom.message]), "errors");
      return "abort() threw the listener's error; the manager caught and collected it";
    }
    equal(messages(manager), "[]", "errors");
    return "workerd reported the listener's error itself ('error' event); nothing collected";
  },
);

check(
  "throwing abort listeners on the signals of many tasks: every task signal still aborts, no throw is lost",
  async () => {
    const throws = abortThrows();
    const manager = new GoroutineManager();
    const release = Promise.withResolvers();
    const signals = [];
    const booms = [];
    // 100 tasks in flight: their signals are shared by groups of tasks, and
    // two tasks far apart add a throwing listener to theirs.
    for (let i = 0; i < 100; i++) {
      manager.startForegroundGoroutine((signal) => {
        signals.push(signal);
        if (i === 3 || i === 90) booms.push(addThrowingListener(signal));
        return release.promise;
      });
    }
    try {
      manager.stopAllGoroutines();
    } catch (error) {
      throw new CheckError(`stopAllGoroutines() threw ${describe(error)}`);
    }
    equal(
      signals.filter((signal) =>
        signal.aborted && signal.reason === manager.getErrGoroutineStopped()
      ).length,
      100,
      "task signals aborted with the stop reason",
    );
    release.resolve();
    await within(2000, manager.wait(), "wait()");
    if (throws) {
      equal(
        messages(manager),
        JSON.stringify(booms.map((boom) => boom.message)),
        "errors",
      );
      return `abort() threw each listener's error; the manager collected all ${booms.length}`;
    }
    equal(messages(manager), "[]", "errors");
    return "workerd reported the listeners' errors itself; nothing collected";
  },
);

check(
  "a throwing abort listener: a failing task (sync throw and rejection) still stops the manager",
  async () => {
    const throws = abortThrows();
    for (const sync of [true, false]) {
      const manager = new GoroutineManager();
      const boom = addThrowingListener(manager.signal);
      let polled = false;
      manager.startForegroundGoroutine(async (signal) => {
        while (!signal.aborted) await sleep(1);
        polled = true;
      });
      const failure = new Error(sync ? "sync failure" : "async failure");
      try {
        manager.startForegroundGoroutine(
          sync
            ? () => {
              throw failure;
            }
            : async () => {
              await sleep(1);
              throw failure;
            },
        );
      } catch (error) {
        throw new CheckError(
          `startForegroundGoroutine() threw ${describe(error)}`,
        );
      }
      await within(2000, manager.wait(), `wait() (${failure.message})`);
      equal(polled, true, `the polling task stopped (${failure.message})`);
      equal(
        messages(manager),
        JSON.stringify(
          throws ? [failure.message, boom.message] : [failure.message],
        ),
        "errors",
      );
    }
  },
);

check(
  "a throwing abort listener: a parent abort does not throw to the parent's caller",
  async () => {
    const throws = abortThrows();
    const parent = new AbortController();
    const manager = new GoroutineManager({ signal: parent.signal });
    const boom = addThrowingListener(manager.signal);
    const reason = new Error("parent aborted");
    try {
      parent.abort(reason);
    } catch (error) {
      throw new CheckError(`parent.abort() threw ${describe(error)}`);
    }
    equal(manager.signal.reason, reason, "manager's reason");
    manager.startForegroundGoroutine((signal) => signal.throwIfAborted());
    await within(2000, manager.wait(), "wait()");
    equal(
      messages(manager),
      JSON.stringify(
        throws ? [boom.message, reason.message] : [reason.message],
      ),
      "errors",
    );
  },
);

check(
  "platform canary: abort listeners added after a throwing one (e.g. a child manager's)",
  async () => {
    const throws = abortThrows();
    const manager = new GoroutineManager();
    addThrowingListener(manager.signal);
    const child = new GoroutineManager({ signal: manager.signal });
    let late = false;
    manager.signal.addEventListener("abort", () => {
      late = true;
    });
    manager.stopAllGoroutines();
    equal(child.signal.aborted, !throws, "child manager aborted");
    equal(late, !throws, "later listener ran");
    child.stopAllGoroutines();
    await within(2000, Promise.all([manager.wait(), child.wait()]), "wait()");
    return throws
      ? "skipped, as workerd does at this date: a child manager following a signal that has a throwing listener before it is not stopped"
      : "all listeners ran";
  },
);

check(
  "ctx.waitUntil(manager.wait()) keeps foreground work alive after the response",
  async (env) => {
    const outcome = async (waitUntil) => {
      const id = crypto.randomUUID();
      const response = await env.SELF.fetch(
        `https://self/bg?id=${id}&waitUntil=${waitUntil}`,
      );
      const body = await response.text();
      const atResponse = background.get(id);
      await sleep(150);
      return { body, atResponse, later: background.get(id) };
    };
    const kept = await outcome(1);
    equal(kept.body, "started", "response body");
    equal(kept.atResponse, "started", "state when the response arrived");
    equal(kept.later, "done", "state 150 ms later, with waitUntil");
    const dropped = await outcome(0);
    return `without waitUntil the task's state 150 ms later: ${dropped.later}`;
  },
);

check(
  "new GoroutineManager({ waitUntil }) keeps background work alive after the response; wait() does not wait for it",
  async (env) => {
    const outcome = async (mode) => {
      const id = crypto.randomUUID();
      const response = await env.SELF.fetch(
        `https://self/bg-kept?id=${id}&mode=${mode}`,
      );
      const body = await response.text();
      const atResponse = background.get(id);
      await sleep(400);
      return { body, atResponse, later: background.get(id) };
    };
    const kept = await outcome("waitUntil");
    equal(kept.body, "responded", "response body");
    equal(kept.atResponse, "started", "state when the response arrived");
    equal(kept.later, "done", "state 400 ms later, with the waitUntil option");
    const failed = await outcome("fail");
    equal(
      failed.later,
      "collected: background failed",
      "a failing background task, kept alive, has its error collected",
    );
    const dropped = await outcome("none");
    return `without the option the background task's state 400 ms later: ${dropped.later}`;
  },
);

check("one manager per request: 8 concurrent requests", async (env) => {
  const bodies = await within(
    5000,
    Promise.all(
      Array.from(
        { length: 8 },
        (_, i) =>
          env.SELF.fetch(`https://self/mini?id=${i}`).then((r) => r.json()),
      ),
    ),
    "8 concurrent /mini requests",
  );
  bodies.forEach((body, i) => {
    equal(
      JSON.stringify(body.errors),
      JSON.stringify([`mini ${i}`]),
      `request ${i}'s errors`,
    );
  });
});

check(
  "no unhandled rejection or uncaught error (other than the checks' own throwing listeners)",
  async (_env, before) => {
    await sleep(20);
    const during = reported.slice(before);
    const unexpected = during.filter((entry) => !entry.includes(LISTENER_BOOM));
    equal(unexpected.join("; "), "", "unexpected reports");
    return `${during.length} throwing-listener errors reported by workerd`;
  },
);

async function run(env) {
  const before = reported.length;
  const results = [];
  for (const [name, fn] of CHECKS) {
    try {
      const detail = await within(
        10_000,
        Promise.resolve().then(() => fn(env, before)),
        name,
      );
      results.push({ name, ok: true, ...(detail ? { detail } : {}) });
    } catch (error) {
      results.push({
        name,
        ok: false,
        message: error instanceof CheckError ? error.message : describe(error),
      });
    }
  }
  return results;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/run":
        return Response.json({ date: env.DATE, results: await run(env) });
      case "/hang":
        await scheduler.wait(2000);
        return new Response("late");
      case "/bg": {
        const id = url.searchParams.get("id");
        const manager = new GoroutineManager();
        manager.startForegroundGoroutine(async () => {
          await sleep(50);
          background.set(id, "done");
        });
        background.set(id, "started");
        if (url.searchParams.get("waitUntil") === "1") {
          ctx.waitUntil(manager.wait());
        }
        return new Response("started");
      }
      case "/bg-kept": {
        // A background task that outlives the response by 300 ms.
        const id = url.searchParams.get("id");
        const mode = url.searchParams.get("mode");
        const manager = new GoroutineManager(
          mode === "none" ? {} : { waitUntil: (p) => ctx.waitUntil(p) },
        );
        manager.startBackgroundGoroutine(async () => {
          await scheduler.wait(300);
          if (mode === "fail") throw new Error("background failed");
          background.set(id, "done");
        });
        if (mode === "fail") {
          // Reports once the failure is collected (still inside waitUntil).
          manager.signal.addEventListener("abort", () => {
            background.set(id, `collected: ${manager.error?.message}`);
          });
        }
        background.set(id, "started");
        await manager.wait(); // resolves at once: no foreground work
        return new Response("responded");
      }
      case "/mini": {
        const id = url.searchParams.get("id");
        const manager = new GoroutineManager({ signal: request.signal });
        manager.startForegroundGoroutine(async (signal) => {
          await aborted(signal);
          signal.throwIfAborted();
        });
        manager.startForegroundGoroutine(async () => {
          await sleep(5);
          throw new Error(`mini ${id}`);
        });
        await manager.wait();
        return Response.json({
          errors: manager.errors.map((error) => error.message),
        });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
