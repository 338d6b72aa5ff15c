// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { follow } from "./_follow.ts";
import { describe, toError } from "./_to_error.ts";

/** A process signal that {@linkcode handleProcessSignals} listens to. */
export type ProcessSignal = "SIGINT" | "SIGTERM";

/** Options of {@linkcode handleProcessSignals}. */
export interface HandleProcessSignalsOptions {
  /**
   * The signals to listen to. Any of them counts: a SIGTERM after a SIGINT is
   * the second signal.
   *
   * @default {["SIGINT", "SIGTERM"]}
   */
  signals?: readonly ProcessSignal[];
  /**
   * Called with the second signal's name, after the listeners are removed and
   * before the process exits. It must be synchronous work: the exit does not
   * wait for a promise it returns.
   *
   * @default {undefined}
   */
  onRescue?: (signal: ProcessSignal) => unknown;
  /**
   * The exit code after the second signal, or `null` to not exit (the
   * listeners are removed anyway, so the next signal gets the runtime's
   * default). The default is what a shell reports for a process killed by
   * that signal: 130 for SIGINT, 143 for SIGTERM.
   *
   * @default {128 + the signal number}
   */
  exitCode?: number | null;
}

/** What {@linkcode handleProcessSignals} returns. */
export interface ProcessSignalHandler {
  /**
   * Aborts on the first signal, right after `stop` was called, with an
   * `AbortError` `DOMException` whose message names the signal. Never aborts
   * where there are no process signals (Workers, browsers). It is no way to
   * drain a `Deno.serve` server: its `signal` option cuts in-flight
   * connections; call `server.shutdown()` in the `stop` callback instead.
   */
  readonly signal: AbortSignal;
  /**
   * Whether signal listeners are installed: `false` where there are no process
   * signals, after the second signal, and after disposal.
   */
  readonly listening: boolean;
  /**
   * Removes the signal listeners, so the runtime's default (exit on SIGINT and
   * SIGTERM) comes back. Then throws what the `stop` and `onRescue` callbacks
   * threw or rejected with, if anything (an `AggregateError` for several),
   * once. Safe to call any number of times.
   *
   * @throws {Error} What the callbacks threw.
   */
  [Symbol.dispose](): void;
}

/** Deno's or `process`'s methods, feature-detected at call time. */
type Methods = Record<string, ((...args: unknown[]) => unknown) | undefined>;

const KNOWN: readonly string[] = ["SIGINT", "SIGTERM"];

/**
 * Turns the first SIGINT or SIGTERM into a graceful stop and the second into a
 * rescue: the first calls `stop`, then aborts the returned
 * {@linkcode ProcessSignalHandler.signal}; the second removes the listeners,
 * calls `onRescue` and exits at once (code 130 for SIGINT, 143 for SIGTERM).
 * Nothing is installed until this is called, and never at import time.
 *
 * Works in Deno (`Deno.addSignalListener`), Node and Bun (`process.on`),
 * detected when called. Where there are no process signals (Cloudflare
 * Workers, browsers) it is a no-op: nothing is installed, and `signal` never
 * aborts. Listening does not keep the process alive. Call
 * `[Symbol.dispose]()` (or write `using`) when the stop is done, so a later
 * Ctrl-C gets the runtime's default again.
 *
 * The callbacks never run bare in a signal listener: what they throw or
 * reject with is kept and thrown by `[Symbol.dispose]()`.
 *
 * @param stop What a graceful stop means: a function called with the signal's
 * name, or a {@linkcode GoroutineManager} (or anything with a
 * `stopAllGoroutines()` method) to stop.
 * @param options The signals, the rescue callback and the exit code.
 * @returns The handler: its `signal` aborts on the first signal; dispose it to
 * remove the listeners.
 * @throws {TypeError} If `stop` or an option has the wrong type.
 * @throws {RangeError} If `options.exitCode` is not an integer from 0 to 255.
 *
 * @example Stop a manager on the first Ctrl-C, exit 130 on the second
 * ```ts
 * import { GoroutineManager, handleProcessSignals } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const signals = handleProcessSignals(manager);
 * manager.startForegroundGoroutine(async (signal) => {
 *   // Work until the manager stops.
 *   await new Promise((resolve) => signal.addEventListener("abort", resolve));
 * });
 * manager.stopAllGoroutines(); // what the first Ctrl-C does
 * await manager.wait(); // let the tasks finish
 * signals[Symbol.dispose](); // from now on Ctrl-C exits at once
 * assert.equal(signals.listening, false);
 * assert.equal(manager.error, undefined);
 * ```
 *
 * @example Shut a server down on SIGTERM
 * ```ts
 * import { handleProcessSignals } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const closed: string[] = [];
 * const signals = handleProcessSignals((name) => closed.push(name), {
 *   signals: ["SIGTERM"],
 *   onRescue: () => closed.push("rescue"),
 * });
 * // The first SIGTERM would call the callback: shut the server down there
 * // (`server.shutdown()` in Deno, `server.stop()` in Bun, `server.close()`
 * // with node:http) and await it elsewhere, or await `signals.signal`.
 * assert.equal(signals.signal.aborted, false);
 * signals[Symbol.dispose]();
 * assert.deepEqual(closed, []);
 * ```
 */
export function handleProcessSignals(
  stop: ((signal: ProcessSignal) => unknown) | { stopAllGoroutines(): void },
  options: HandleProcessSignalsOptions = {},
): ProcessSignalHandler {
  if (
    typeof stop !== "function" &&
    typeof (stop as { stopAllGoroutines?: unknown } | null)
        ?.stopAllGoroutines !==
      "function"
  ) {
    throw invalid("stop", "a function or a GoroutineManager", stop);
  }
  if (typeof options !== "object" || options === null) {
    throw invalid("options", "an object", options);
  }
  const { signals = KNOWN, onRescue, exitCode } = options;
  if (
    !Array.isArray(signals) || !signals.every((name) => KNOWN.includes(name))
  ) {
    throw invalid("signals", 'an array of "SIGINT" and "SIGTERM"', signals);
  }
  if (onRescue !== undefined && typeof onRescue !== "function") {
    throw invalid("onRescue", "a function", onRescue);
  }
  if (
    exitCode != null &&
    !(Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255)
  ) {
    throw invalid(
      "exitCode",
      "an integer from 0 to 255 or null",
      exitCode,
      typeof exitCode === "number" ? RangeError : TypeError,
    );
  }

  const controller = new AbortController();
  const errors: Error[] = [];
  const fail = (error: unknown): void => {
    errors.push(toError(error));
  };
  const run = (fn: () => unknown): void => {
    try {
      follow(fn(), noop, fail);
    } catch (error) {
      fail(error);
    }
  };

  // Feature detection at call time: Deno first (it also has `process`).
  const { Deno: deno, process: proc } = globalThis as unknown as {
    Deno?: Methods;
    process?: Methods;
  };
  const isDeno = typeof deno?.addSignalListener === "function";
  const target = isDeno ? deno : proc;
  const add = isDeno ? "addSignalListener" : "on";
  const remove = isDeno ? "removeSignalListener" : "off";
  const installed: [string, () => void][] = [];
  const uninstall = (): void => {
    for (const [name, listener] of installed.splice(0)) {
      try {
        target?.[remove]?.(name, listener);
      } catch (error) {
        fail(error);
      }
    }
  };
  const onSignal = (name: ProcessSignal): void => {
    if (installed.length === 0) return;
    if (!controller.signal.aborted) {
      run(() =>
        typeof stop === "function" ? stop(name) : stop.stopAllGoroutines()
      );
      try {
        controller.abort(new DOMException(`Received ${name}`, "AbortError"));
      } catch (error) {
        fail(error);
      }
      return;
    }
    uninstall();
    if (onRescue !== undefined) run(() => onRescue(name));
    if (exitCode !== null) {
      target?.exit?.(exitCode ?? (name === "SIGINT" ? 130 : 143));
    }
  };
  if (
    typeof target?.[add] === "function" && typeof target[remove] === "function"
  ) {
    for (const name of new Set(signals)) {
      const listener = (): void => onSignal(name);
      try {
        target[add](name, listener);
        installed.push([name, listener]);
      } catch {
        // Not supported here (SIGTERM in older Deno on Windows): skip it.
      }
    }
  }

  return {
    signal: controller.signal,
    get listening(): boolean {
      return installed.length > 0;
    },
    [Symbol.dispose](): void {
      uninstall();
      const thrown = errors.splice(0);
      if (thrown.length === 1) throw thrown[0];
      if (thrown.length > 1) {
        throw new AggregateError(
          thrown,
          `Process signal callbacks threw ${thrown.length} errors`,
        );
      }
    },
  };
}

function noop(): void {}

function invalid(
  name: string,
  must: string,
  value: unknown,
  Error: new (message: string) => Error = TypeError,
): Error {
  return new Error(
    `Cannot handle process signals as '${name}' must be ${must}: current value is ${
      describe(value)
    }`,
  );
}
