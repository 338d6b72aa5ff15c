// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Start concurrent async tasks, stop them all on the first failure or on
 * shutdown, wait for them, and lose no error: a web-standard port of Go's
 * [`loopholelabs/goroutine-manager`](https://github.com/loopholelabs/goroutine-manager)
 * for Deno, Bun, Node, Cloudflare Workers and browsers.
 *
 * - {@linkcode GoroutineManager} starts foreground and background tasks, hands
 *   them `AbortSignal`s that abort together (cheap to subscribe to at any
 *   concurrency), stops them on the first error, and collects every error.
 * - {@linkcode PanicCollector} reports work started elsewhere (callbacks,
 *   cleanups) to a manager.
 * - {@linkcode GoroutineStoppedError} is the reason a manager stops with, so a
 *   graceful stop is told apart from a failure; {@linkcode GoroutineError}
 *   names the task a collected error came from.
 * - {@linkcode waitFor} waits with a deadline or a rescue signal and, when it
 *   gives up, says which tasks are still running ({@linkcode GoroutineWaitError}).
 * - {@linkcode dependentSignal} is Go's proxy context: a signal that aborts once
 *   an upstream signal has aborted and its dependencies have drained, or at
 *   once on a rescue signal.
 * - {@linkcode ShutdownCascade} stops named managers in dependency order,
 *   dependents first, each drained before what it depends on stops.
 * - {@linkcode GoroutineLimiter} runs a manager's tasks at most N at a time
 *   (errgroup's `SetLimit` / `TryGo`), with backpressure for producers, typed
 *   results and per-task cancellation and timeouts; {@linkcode mapGoroutines}
 *   maps an iterable through a manager with a limit, results in input order.
 * - {@linkcode handleProcessSignals} (opt-in) turns the first SIGINT/SIGTERM
 *   into a graceful stop and the second into a rescue, on Deno, Bun and Node.
 *
 * @example Usage
 * ```ts
 * import { GoroutineManager } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * manager.startForegroundGoroutine(async (signal) => {
 *   await new Promise((resolve) => signal.addEventListener("abort", resolve));
 * });
 * manager.startBackgroundGoroutine(() => {
 *   throw new Error("background job failed");
 * });
 * await manager.wait(); // the failure stopped the foreground task too
 * assert.equal(manager.error?.message, "background job failed");
 * ```
 *
 * @module
 */

export {
  type Goroutine,
  type GoroutineInfo,
  GoroutineManager,
  type GoroutineManagerHooks,
  type GoroutineManagerOptions,
  type GoroutineOptions,
} from "./src/goroutine_manager.ts";
export {
  type Dependency,
  dependentSignal,
  type DependentSignalOptions,
  type Drainable,
} from "./src/dependent_signal.ts";
export { GoroutineError } from "./src/goroutine_error.ts";
export { GoroutineStoppedError } from "./src/goroutine_stopped_error.ts";
export { GoroutineWaitError } from "./src/goroutine_wait_error.ts";
export { PanicCollector } from "./src/panic_collector.ts";
export { waitFor, type WaitOptions } from "./src/wait_for.ts";
export {
  ShutdownCascade,
  type ShutdownCascadeAddOptions,
  type ShutdownCascadeOptions,
} from "./src/shutdown_cascade.ts";
export {
  handleProcessSignals,
  type HandleProcessSignalsOptions,
  type ProcessSignal,
  type ProcessSignalHandler,
} from "./src/process_signals.ts";
export {
  GoroutineLimiter,
  type GoroutineLimiterOptions,
  type LimitedGoroutineOptions,
} from "./src/goroutine_limiter.ts";
export {
  mapGoroutines,
  type MapGoroutinesOptions,
} from "./src/map_goroutines.ts";
