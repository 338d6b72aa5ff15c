// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { runTask } from "./_run_task.ts";
import { invalid, toError } from "./_to_error.ts";
import { noop } from "./_noop.ts";

/** A process signal that {@linkcode handleProcessSignals} listens to. */
export type ProcessSignal = "SIGINT" | "SIGTERM";

/** Options of {@linkcode handleProcessSignals}. */
export interface HandleProcessSignalsOptions {
  /**
   * Called with the second signal's name, after the listeners are removed and
   * before the process exits. It must be synchronous work: the exit does not
   * wait for a promise it returns.
   *
   * @default {undefined}
   */
  onRescue?: ((signal: ProcessSignal) => unknown) | undefined;
  /**
   * The exit code after the second signal, or `null` to not exit (the
   * listeners are removed anyway, so the next signal gets the runtime's
   * default). The default is what a shell reports for a process killed by
   * that signal: 130 for SIGINT, 143 for SIGTERM.
   *
   * @default {128 + the signal number}
   */
  exitCode?: number | null | undefined;
  /**
   * Called with what `stop` or `onRescue` threw or rejected with (a
   * non-`Error` value is wrapped in an `Error` whose `cause` is the value), as
   * soon as it happens. Without it, the value is thrown again from a
   * microtask, so the runtime reports it as an uncaught exception: Node, Deno
   * and Bun print it and exit with code 1, unless the program handles
   * uncaught exceptions. A failed stop is never silent. What `onError` itself
   * throws is reported the same way. Before an exit on the second signal
   * there is no microtask left: what `onRescue` throws then is printed with
   * `console.error` and the process exits with code 1 (a promise it returns is
   * not awaited, so a later rejection is lost with the process).
   *
   * @default {undefined}
   */
  onError?: ((error: Error) => unknown) | undefined;
}

/** What {@linkcode handleProcessSignals} returns. */
export interface ProcessSignalHandler {
  /**
   * Aborts on the first signal, right after `stop` was called, with an
   * `AbortError` `DOMException`. Never aborts where there are no process
   * signals (Workers, browsers). It is no way to drain a `Deno.serve` server:
   * its `signal` option cuts in-flight connections; call `server.shutdown()`
   * in the `stop` callback instead.
   */
  readonly signal: AbortSignal;
  /**
   * Whether signal listeners are installed: `false` where there are no process
   * signals, after the second signal, and after disposal.
   */
  readonly listening: boolean;
  /**
   * Removes the signal listeners, so the runtime's default (exit on SIGINT and
   * SIGTERM) comes back. Safe to call any number of times.
   */
  [Symbol.dispose](): void;
}

const HANDLE = "handle process signals";

/** The part of `process` used here. */
interface Process {
  on(name: ProcessSignal, listener: () => void): unknown;
  off(name: ProcessSignal, listener: () => void): unknown;
  exit(code: number): unknown;
}

/**
 * Turns the first SIGINT or SIGTERM into a graceful stop and the second into a
 * rescue: the first calls `stop`, then aborts the returned
 * {@linkcode ProcessSignalHandler.signal}; the second removes the listeners,
 * calls `onRescue` and exits at once (code 130 for SIGINT, 143 for SIGTERM).
 * Either signal counts: a SIGTERM after a SIGINT is the second signal.
 * Nothing is installed until this is called, and never at import time.
 *
 * Listens with `process.on()`, looked up when called: Node, Bun and Deno 2
 * (whose `process.on()` forwards to `Deno.addSignalListener()`). Where there
 * is no `process` (Cloudflare Workers, browsers) it is a no-op: nothing is
 * installed, and `signal` never aborts. Call `[Symbol.dispose]()` (or write
 * `using`) when the stop is done, so a later Ctrl-C gets the runtime's
 * default again.
 *
 * It holds no timer and no handle: a program that has nothing else to do
 * exits, listening or not, on every runtime. One runtime difference remains,
 * Deno's: while a top-level `await` is pending, any signal listener (this
 * one, or `Deno.addSignalListener()`) keeps Deno waiting for the signal,
 * where Node exits with code 13 ("unsettled top-level await") and Bun always
 * waits. To wait for Ctrl-C with nothing else running, keep the process
 * alive yourself (a server, or a timer cleared when `signal` aborts).
 *
 * The callbacks never run bare in a signal listener, and what they throw or
 * reject with is never silent: it goes to `options.onError`, or is reported
 * by the runtime as an uncaught exception.
 *
 * @param stop What a graceful stop means, called with the signal's name: stop
 * your {@linkcode GoroutineManager}s, shut your servers down. A promise it
 * returns is not awaited, but a rejection is reported like a throw.
 * @param options The rescue callback, the exit code and the error callback.
 * @returns The handler: its `signal` aborts on the first signal; dispose it to
 * remove the listeners.
 * @throws {TypeError} If `stop`, `options`, `options.onRescue`,
 * `options.onError` or `options.exitCode` has the wrong type; nothing is
 * installed then.
 * @throws {RangeError} If `options.exitCode` is a number but not an integer
 * from 0 to 255.
 *
 * @example Stop a manager on the first Ctrl-C, exit 130 on the second
 * ```ts
 * import { GoroutineManager, handleProcessSignals } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const signals = handleProcessSignals(() => manager.stopAllGoroutines());
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
 * @example Handle a failed stop yourself
 * ```ts
 * import { handleProcessSignals } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const failures: Error[] = [];
 * const signals = handleProcessSignals(() => {
 *   throw new Error("shutdown failed"); // would reach onError at once
 * }, { onError: (error) => failures.push(error) });
 * assert.deepEqual(failures, []); // no signal yet
 * signals[Symbol.dispose]();
 * ```
 *
 * @example Shut a server down on the first signal, log the second
 * ```ts
 * import { handleProcessSignals } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const calls: string[] = [];
 * const signals = handleProcessSignals((name) => calls.push(name), {
 *   onRescue: (name) => calls.push(`${name} again`),
 * });
 * // The first signal would call the callback: shut the server down there
 * // (`server.shutdown()` in Deno, `server.stop()` in Bun, `server.close()`
 * // with node:http) and await it elsewhere, or await `signals.signal`.
 * assert.equal(signals.signal.aborted, false);
 * signals[Symbol.dispose]();
 * assert.deepEqual(calls, []);
 * ```
 */
export function handleProcessSignals(
  stop: (signal: ProcessSignal) => unknown,
  options: HandleProcessSignalsOptions = {},
): ProcessSignalHandler {
  if (typeof stop !== "function") {
    throw invalid(HANDLE, "stop", "a function", stop);
  }
  if (Object(options) !== options) {
    throw invalid(HANDLE, "options", "an object", options);
  }
  const { onRescue, exitCode, onError } = options;
  if (onRescue !== undefined && typeof onRescue !== "function") {
    throw invalid(HANDLE, "onRescue", "a function", onRescue);
  }
  if (onError !== undefined && typeof onError !== "function") {
    throw invalid(HANDLE, "onError", "a function", onError);
  }
  // No coercion: a bigint or an object with `valueOf` is no exit code.
  if (
    exitCode != null &&
    !(Number.isInteger(exitCode) && exitCode >= 0 && exitCode <= 255)
  ) {
    throw invalid(
      HANDLE,
      "exitCode",
      "an integer from 0 to 255 or null",
      exitCode,
      typeof exitCode === "number" ? RangeError : TypeError,
    );
  }

  const controller = new AbortController();
  // Never silent: to onError, or thrown again where the runtime reports it.
  const report = (error: unknown): void => {
    try {
      if (!onError) throw error;
      onError(toError(error));
    } catch (uncaught) {
      queueMicrotask(() => {
        throw uncaught;
      });
    }
  };
  // At call time, never at import (Workers); Deno's `process` global too.
  const proc = (globalThis as { process?: Process }).process!;
  const installed: [ProcessSignal, () => void][] = [];
  const uninstall = (): void => {
    for (const [name, listener] of installed.splice(0)) {
      try {
        proc.off(name, listener);
      } catch {
        // A shim with `on()` but no working `off()`: never throw from here.
      }
    }
  };
  // Set before `stop` runs: a signal raised from inside `stop` (or its
  // callees) is the second signal, not a second stop.
  let stopping = false;
  for (const [name, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    // Runs only while installed: the second signal removes it.
    const listener = (): void => {
      // Inert once uninstalled, even where `off()` failed.
      if (!installed.length) return;
      if (!stopping) {
        stopping = true;
        runTask(stop, name, noop, report);
        // Only workerd throws out of abort(), and it has no process signals.
        controller.abort();
      } else {
        uninstall();
        // Its last words: a throw is reported before the exit, which would
        // end the process before a microtask could rethrow it.
        let failure: [unknown] | undefined;
        let now = true;
        if (onRescue) {
          runTask(onRescue, name, noop, (error) => {
            if (now && !onError && exitCode !== null) failure = [error];
            else report(error);
          });
        }
        now = false;
        if (failure) {
          try {
            // deno-lint-ignore no-console
            console.error(failure[0]);
          } finally {
            // Even if printing a user's value throws.
            proc.exit(1);
          }
        } else if (exitCode !== null) proc.exit(exitCode ?? code);
      }
    };
    try {
      proc.on(name, listener);
      installed.push([name, listener]);
    } catch {
      // No `process` (Workers, browsers), or a shim without `on()`.
    }
  }

  return {
    signal: controller.signal,
    get listening(): boolean {
      return installed.length > 0;
    },
    [Symbol.dispose]: uninstall,
  };
}
