// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// handleProcessSignals(): the state machine against fake `process` (and
// `Deno`) objects on every runtime, the real listeners of the current runtime,
// and examples/signals.ts as a child process sent real signals.

import { test } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineManager,
  handleProcessSignals,
  type ProcessSignalHandler,
} from "goroutine-manager";
import { RUNTIME, withExample } from "./_child.ts";

type Listener = () => void;

/**
 * A fake `process` (or `Deno`, which must be ignored): records listeners and
 * exit codes.
 */
function fakeRuntime(kind: "deno" | "process", unsupported: string[] = []) {
  const listeners: [string, Listener][] = [];
  const exits: number[] = [];
  const add = (name: string, listener: Listener) => {
    if (unsupported.includes(name)) {
      throw new TypeError(`${name} is not supported`);
    }
    listeners.push([name, listener]);
  };
  const remove = (name: string, listener: Listener) => {
    const index = listeners.findIndex(([n, l]) => n === name && l === listener);
    if (index !== -1) listeners.splice(index, 1);
  };
  const exit = (code: number) => {
    exits.push(code);
  };
  const api = kind === "deno"
    ? { addSignalListener: add, removeSignalListener: remove, exit }
    : { on: add, off: remove, exit };
  return {
    api,
    exits,
    names: () => listeners.map(([name]) => name).sort(),
    emit(name: string) {
      for (const [n, listener] of [...listeners]) if (n === name) listener();
    },
  };
}

/**
 * Calls `fn` with `globalThis.Deno` and `globalThis.process` replaced, and
 * puts the real ones back before returning (handleProcessSignals() reads them
 * only while it is called).
 */
function withGlobals<T>(
  globals: { Deno?: unknown; process?: unknown },
  fn: () => T,
): T {
  const keys = ["Deno", "process"] as const;
  const saved = keys.map((key) =>
    Object.getOwnPropertyDescriptor(globalThis, key)
  );
  try {
    for (const key of keys) {
      Object.defineProperty(globalThis, key, {
        value: globals[key],
        configurable: true,
        writable: true,
      });
    }
    return fn();
  } finally {
    keys.forEach((key, i) => {
      const descriptor = saved[i];
      if (descriptor) Object.defineProperty(globalThis, key, descriptor);
      else delete (globalThis as Record<string, unknown>)[key];
    });
  }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

// --- the state machine, with fake runtimes ----------------------------------

test("handleProcessSignals() stops on the first SIGINT, and on the second removes its listeners and exits 130", () => {
  const rt = fakeRuntime("process");
  const calls: string[] = [];
  const handler: ProcessSignalHandler = withGlobals(
    { process: rt.api },
    () =>
      handleProcessSignals((name) => {
        calls.push(`stop ${name}`);
        assert.equal(handler.signal.aborted, false, "stop runs before abort");
      }, {
        onRescue: (name) => calls.push(`rescue ${name}`),
      }),
  );
  assert.deepEqual(rt.names(), ["SIGINT", "SIGTERM"]);
  assert.equal(handler.listening, true);
  assert.equal(handler.signal.aborted, false);

  rt.emit("SIGINT");
  assert.deepEqual(calls, ["stop SIGINT"]);
  assert.equal(handler.signal.aborted, true);
  assert.ok(handler.signal.reason instanceof DOMException);
  assert.equal(handler.signal.reason.name, "AbortError");
  assert.deepEqual(
    rt.names(),
    ["SIGINT", "SIGTERM"],
    "still listening for the rescue",
  );
  assert.deepEqual(rt.exits, []);

  rt.emit("SIGINT");
  assert.deepEqual(calls, ["stop SIGINT", "rescue SIGINT"]);
  assert.deepEqual(rt.names(), [], "the runtime default is back");
  assert.equal(handler.listening, false);
  assert.deepEqual(rt.exits, [130]);
  rt.emit("SIGINT");
  assert.deepEqual(calls, ["stop SIGINT", "rescue SIGINT"], "never again");
  handler[Symbol.dispose]();
});

test("handleProcessSignals() listens with process.on() even where Deno exists, and exits 143 after a SIGINT then a SIGTERM", () => {
  const deno = fakeRuntime("deno");
  const proc = fakeRuntime("process");
  const stops: string[] = [];
  const handler = withGlobals(
    { Deno: deno.api, process: proc.api },
    () =>
      handleProcessSignals((name) => {
        stops.push(name);
      }),
  );
  assert.deepEqual(proc.names(), ["SIGINT", "SIGTERM"]);
  assert.deepEqual(deno.names(), [], "Deno 2's process.on() forwards there");
  proc.emit("SIGINT");
  proc.emit("SIGTERM"); // either signal counts as the second
  assert.deepEqual(stops, ["SIGINT"]);
  assert.deepEqual(proc.exits, [143]);
  assert.deepEqual(proc.names(), []);
  assert.deepEqual(deno.exits, []);
  handler[Symbol.dispose]();
});

test("handleProcessSignals() stops a GoroutineManager with its own stop reason", async () => {
  const rt = fakeRuntime("process");
  const manager = new GoroutineManager();
  manager.startForegroundGoroutine(async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    signal.throwIfAborted(); // a graceful exit
  });
  const handler = withGlobals(
    { process: rt.api },
    () => handleProcessSignals(() => manager.stopAllGoroutines()),
  );
  rt.emit("SIGTERM");
  assert.equal(manager.signal.reason, manager.getErrGoroutineStopped());
  await manager.wait();
  assert.equal(manager.error, undefined);
  handler[Symbol.dispose]();
  assert.deepEqual(rt.names(), []);
  assert.deepEqual(rt.exits, []);
});

test("handleProcessSignals() with exitCode null or a number", () => {
  const quiet = fakeRuntime("process");
  const a = withGlobals(
    { process: quiet.api },
    () => handleProcessSignals(() => {}, { exitCode: null }),
  );
  quiet.emit("SIGINT");
  quiet.emit("SIGINT");
  assert.deepEqual(quiet.exits, [], "no exit: the caller decides");
  assert.deepEqual(quiet.names(), [], "but the next signal gets the default");
  assert.equal(a.listening, false);
  a[Symbol.dispose]();

  const custom = fakeRuntime("process");
  const b = withGlobals(
    { process: custom.api },
    () => handleProcessSignals(() => {}, { exitCode: 0 }),
  );
  custom.emit("SIGTERM");
  custom.emit("SIGINT");
  assert.deepEqual(custom.exits, [0]);
  b[Symbol.dispose]();
});

test("handleProcessSignals() listens once to each signal, and one SIGTERM is only the first signal", () => {
  const rt = fakeRuntime("process");
  const stops: string[] = [];
  const handler = withGlobals(
    { process: rt.api },
    () =>
      handleProcessSignals((name) => {
        stops.push(name);
      }),
  );
  assert.deepEqual(rt.names(), ["SIGINT", "SIGTERM"]);
  rt.emit("SIGTERM");
  assert.deepEqual(stops, ["SIGTERM"]);
  assert.deepEqual(rt.exits, []);
  handler[Symbol.dispose]();
  assert.deepEqual(rt.names(), []);
  rt.emit("SIGTERM");
  assert.deepEqual(stops, ["SIGTERM"], "disposed: not called again");
});

test("handleProcessSignals() skips a signal the runtime refuses", () => {
  const rt = fakeRuntime("process", ["SIGTERM"]);
  const handler = withGlobals(
    { process: rt.api },
    () => handleProcessSignals(() => {}),
  );
  assert.deepEqual(rt.names(), ["SIGINT"]);
  assert.equal(handler.listening, true);
  handler[Symbol.dispose]();
  assert.equal(handler.listening, false);
  assert.deepEqual(rt.names(), []);
});

test("handleProcessSignals() is a no-op without process (Workers, browsers)", () => {
  let stops = 0;
  const handler = withGlobals({}, () =>
    handleProcessSignals(() => {
      stops++;
    }));
  assert.equal(handler.listening, false);
  assert.equal(handler.signal.aborted, false);
  handler[Symbol.dispose]();
  handler[Symbol.dispose]();
  assert.equal(stops, 0);
  // A `process` shim without on/off (as some bundlers inject) is no runtime either.
  const shimmed = withGlobals(
    { process: { env: {} } },
    () => handleProcessSignals(() => {}),
  );
  assert.equal(shimmed.listening, false);
  shimmed[Symbol.dispose]();
  // Nor is Deno's API alone (Deno 1 without --unstable-node-globals).
  const deno = fakeRuntime("deno");
  const denoOnly = withGlobals(
    { Deno: deno.api },
    () => handleProcessSignals(() => {}),
  );
  assert.equal(denoOnly.listening, false);
  assert.deepEqual(deno.names(), []);
  denoOnly[Symbol.dispose]();
});

test("handleProcessSignals() hands what the callbacks throw or reject with to onError, at once, each once", async () => {
  const rt = fakeRuntime("process");
  const stopError = new Error("stop failed");
  const seen: Error[] = [];
  const handler = withGlobals(
    { process: rt.api },
    () =>
      handleProcessSignals(() => {
        throw stopError;
      }, {
        onRescue: () => Promise.reject("rescue failed"),
        exitCode: null,
        onError: (error) => {
          seen.push(error);
        },
      }),
  );
  assert.doesNotThrow(() => rt.emit("SIGINT"));
  assert.deepEqual(seen, [stopError], "a throw is reported at once");
  assert.equal(handler.signal.aborted, true, "aborts even if stop throws");
  assert.doesNotThrow(() => rt.emit("SIGINT"));
  await tick();
  assert.equal(seen.length, 2);
  assert.ok(seen[1] instanceof Error, "a non-Error is wrapped");
  assert.equal(seen[1].cause, "rescue failed");
  assert.doesNotThrow(() => handler[Symbol.dispose](), "dispose never throws");
  assert.equal(seen.length, 2);

  const single = fakeRuntime("process");
  const errors: Error[] = [];
  const one = withGlobals(
    { process: single.api },
    () =>
      handleProcessSignals(() => Promise.reject(stopError), {
        onError: (error) => errors.push(error),
      }),
  );
  single.emit("SIGINT");
  await tick();
  assert.deepEqual(errors, [stopError]);
  one[Symbol.dispose]();
  assert.deepEqual(single.names(), []);
});

test("handleProcessSignals() works with an unbound manager.stopAllGoroutines", async () => {
  const rt = fakeRuntime("process");
  const manager = new GoroutineManager();
  manager.startForegroundGoroutine((signal) =>
    new Promise((resolve) => signal.addEventListener("abort", resolve))
  );
  const errors: Error[] = [];
  const handler = withGlobals(
    { process: rt.api },
    () =>
      handleProcessSignals(manager.stopAllGoroutines, {
        onError: (error) => errors.push(error),
      }),
  );
  rt.emit("SIGINT");
  assert.equal(manager.signal.aborted, true, "the first signal stopped it");
  await manager.wait();
  assert.deepEqual(errors, []);
  assert.equal(manager.error, undefined);
  handler[Symbol.dispose]();
});

test("handleProcessSignals() rejects invalid arguments and installs nothing", () => {
  const stop = () => {};
  const cases: [() => unknown, typeof TypeError, string][] = [
    [
      () => handleProcessSignals(undefined as never),
      TypeError,
      "'stop' must be a function: current value is undefined",
    ],
    [
      () => handleProcessSignals(new GoroutineManager() as never),
      TypeError,
      "'stop' must be a function: current value is [object Object]",
    ],
    [
      () => handleProcessSignals(stop, null as never),
      TypeError,
      "'options' must be an object: current value is null",
    ],
    [
      () => handleProcessSignals(stop, 42 as never),
      TypeError,
      "'options' must be an object: current value is 42",
    ],
    [
      () => handleProcessSignals(stop, { onRescue: 1 as never }),
      TypeError,
      "'onRescue' must be a function: current value is 1",
    ],
    [
      () => handleProcessSignals(stop, { onRescue: 0 as never }),
      TypeError,
      "'onRescue' must be a function: current value is 0",
    ],
    [
      () => handleProcessSignals(stop, { onRescue: null as never }),
      TypeError,
      "'onRescue' must be a function: current value is null",
    ],
    [
      () => handleProcessSignals(stop, { onError: "log" as never }),
      TypeError,
      `'onError' must be a function: current value is "log"`,
    ],
    [
      () => handleProcessSignals(stop, { exitCode: 256 }),
      RangeError,
      "'exitCode' must be an integer from 0 to 255 or null: current value is 256",
    ],
    [
      () => handleProcessSignals(stop, { exitCode: -1 }),
      RangeError,
      "'exitCode' must be an integer from 0 to 255 or null: current value is -1",
    ],
    [
      () => handleProcessSignals(stop, { exitCode: 1.5 }),
      RangeError,
      "'exitCode' must be an integer from 0 to 255 or null: current value is 1.5",
    ],
    [
      () => handleProcessSignals(stop, { exitCode: NaN }),
      RangeError,
      "'exitCode' must be an integer from 0 to 255 or null: current value is NaN",
    ],
    [
      () => handleProcessSignals(stop, { exitCode: "1" as never }),
      TypeError,
      `'exitCode' must be an integer from 0 to 255 or null: current value is "1"`,
    ],
    [
      () => handleProcessSignals(stop, { exitCode: 1n as never }),
      TypeError,
      `'exitCode' must be an integer from 0 to 255 or null: current value is 1n`,
    ],
  ];
  for (const [fn, Class, message] of cases) {
    const rt = fakeRuntime("process");
    assert.throws(() => withGlobals({ process: rt.api }, fn), (error) => {
      assert.ok(error instanceof Class, `${error} is a ${Class.name}`);
      assert.equal(error.constructor, Class);
      assert.equal(
        (error as Error).message,
        `Cannot handle process signals as ${message}`,
      );
      return true;
    });
    assert.deepEqual(rt.names(), [], "nothing installed");
  }
  // Valid edge values install nothing here (no process) and throw nothing.
  for (const exitCode of [0, 255, null]) {
    withGlobals({}, () => handleProcessSignals(stop, { exitCode }))
      [Symbol.dispose]();
  }
});

// --- the real runtime --------------------------------------------------------

test("handleProcessSignals() installs real listeners and removes them on dispose", () => {
  const before = process.listenerCount("SIGINT");
  const handler = handleProcessSignals(() => {});
  assert.equal(handler.listening, true);
  assert.equal(process.listenerCount("SIGINT"), before + 1);
  assert.equal(process.listenerCount("SIGTERM") > 0, true);
  handler[Symbol.dispose]();
  assert.equal(handler.listening, false);
  assert.equal(process.listenerCount("SIGINT"), before);
});

test(`examples/signals.ts on ${RUNTIME}: one SIGINT drains the work and exits 0`, async () => {
  await withExample("signals.ts", ["10"], async (child) => {
    await child.line(/^ready/);
    child.kill("SIGINT");
    assert.deepEqual(
      await child.exited,
      { code: 0, signal: null },
      child.stderr,
    );
    assert.deepEqual(child.lines.slice(0, 3), [
      "ready: press Ctrl-C to stop",
      "SIGINT: stopping (send it again to exit at once)",
      "finishing the work in flight (10 ms)",
    ]);
    assert.match(child.lines[3] ?? "", /^worker done after \d+ rounds$/);
    assert.deepEqual(child.lines.slice(4), ["stopped gracefully"]);
  });
});

test(`examples/signals.ts on ${RUNTIME}: a second SIGINT while draining exits 130 at once`, async () => {
  await withExample("signals.ts", ["60000"], async (child) => {
    await child.line(/^ready/);
    child.kill("SIGINT");
    await child.line(/^finishing the work in flight/);
    child.kill("SIGINT");
    // The drain takes a minute and the guard timer is 20 s: only the rescue
    // can end the process in time.
    assert.deepEqual(
      await child.exited,
      { code: 130, signal: null },
      child.stderr,
    );
    assert.deepEqual(child.lines, [
      "ready: press Ctrl-C to stop",
      "SIGINT: stopping (send it again to exit at once)",
      "finishing the work in flight (60000 ms)",
      "SIGINT: exiting at once",
    ]);
  });
});

test(`examples/signals.ts on ${RUNTIME}: SIGTERM stops gracefully too, and a second one exits 143`, async () => {
  await withExample("signals.ts", ["10"], async (child) => {
    await child.line(/^ready/);
    child.kill("SIGTERM");
    assert.deepEqual(
      await child.exited,
      { code: 0, signal: null },
      child.stderr,
    );
    assert.equal(child.lines.at(-1), "stopped gracefully");
  });
  await withExample("signals.ts", ["60000"], async (child) => {
    await child.line(/^ready/);
    child.kill("SIGTERM");
    await child.line(/^finishing the work in flight/);
    child.kill("SIGTERM");
    assert.deepEqual(
      await child.exited,
      { code: 143, signal: null },
      child.stderr,
    );
    assert.equal(child.lines.at(-1), "SIGTERM: exiting at once");
  });
});

test("handleProcessSignals(): what onRescue throws is reported before the exit (printed, exit code 1; or onError, then the usual code)", () => {
  const failure = new Error("rescue failed");
  const printed: unknown[] = [];
  // The test replaces console.error to see what the library prints.
  // deno-lint-ignore no-console
  const realError = console.error;
  // deno-lint-ignore no-console
  console.error = (...args: unknown[]) => void printed.push(...args);
  try {
    const rt = fakeRuntime("process");
    withGlobals({ process: rt.api }, () =>
      handleProcessSignals(() => {}, {
        onRescue: () => {
          throw failure;
        },
      }));
    rt.emit("SIGTERM");
    rt.emit("SIGINT");
    assert.deepEqual(printed, [failure], "printed before the exit");
    assert.deepEqual(rt.exits, [1], "exit code 1, as for an uncaught error");

    // Printing a value can throw (a console that cannot show it): the exit
    // still happens.
    // deno-lint-ignore no-console
    console.error = () => {
      throw new Error("cannot print");
    };
    const broken = fakeRuntime("process");
    withGlobals({ process: broken.api }, () =>
      handleProcessSignals(() => {}, {
        onRescue: () => {
          throw failure;
        },
      }));
    broken.emit("SIGINT");
    assert.throws(() => broken.emit("SIGINT"), { message: "cannot print" });
    assert.deepEqual(broken.exits, [1]);
  } finally {
    // deno-lint-ignore no-console
    console.error = realError;
  }

  const rt = fakeRuntime("process");
  const reported: Error[] = [];
  withGlobals({ process: rt.api }, () =>
    handleProcessSignals(() => {}, {
      onRescue: () => {
        throw failure;
      },
      onError: (error) => void reported.push(error),
    }));
  rt.emit("SIGINT");
  rt.emit("SIGINT");
  assert.deepEqual(reported, [failure], "to onError, before the exit");
  assert.deepEqual(rt.exits, [130]);
  assert.deepEqual(printed, [failure], "nothing more printed");
});
