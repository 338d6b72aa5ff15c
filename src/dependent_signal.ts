// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { noop, onAbort } from "./_on_abort.ts";
import { invalid } from "./_to_error.ts";
import { DependentAbortError } from "./dependent_abort_error.ts";

/**
 * Something that is stopped and then drained, such as a
 * {@linkcode GoroutineManager}: it is finished once its `signal` has aborted
 * and the promise that `wait()` returns, called after that, has settled.
 */
export interface Drainable {
  /** Aborts when it is asked to stop. */
  readonly signal: AbortSignal;
  /** Resolves when its in-flight work has finished. */
  wait(): unknown;
}

/**
 * What a {@linkcode dependentSignal} waits for once its upstream signal has
 * aborted:
 *
 * - a promise (or any thenable): finished when it settles, either way;
 * - an `AbortSignal`: finished when it has aborted;
 * - a {@linkcode Drainable} such as a {@linkcode GoroutineManager}: finished
 *   when its signal has aborted and its `wait()` has settled;
 * - a function: called when its turn comes (like Go's `wg.Wait()` after
 *   `<-ctx.Done()`), finished when what it returns settles, or at once if it
 *   throws.
 */
export type Dependency =
  | PromiseLike<unknown>
  | AbortSignal
  | Drainable
  | (() => unknown);

/** Options of {@linkcode dependentSignal}. */
export interface DependentSignalOptions {
  /**
   * What must finish after the upstream signal has aborted and before the
   * dependent signal aborts. They are waited for one after another, in order,
   * so a function is called only once everything before it has finished. A
   * dependency that fails (rejects or throws) counts as finished: the signal
   * orders shutdowns, errors belong to the code that runs the work.
   *
   * @default {[]}
   */
  after?: Iterable<Dependency>;
  /**
   * A signal that cuts every wait short (Go: the `rescueCtx` parent of a proxy
   * context): when it aborts, the dependent signal aborts at once, even if the
   * upstream signal has not.
   *
   * @default {undefined}
   */
  rescue?: AbortSignal;
}

const CREATE = "create dependent signal";

/**
 * Returns a signal that aborts only once `upstream` has aborted *and* every
 * dependency has finished, or at once when the rescue signal aborts: the
 * proxy context of Go's README ("a resource that must not shut down before
 * another has stopped and its in-flight work has drained").
 *
 * The reason is a {@linkcode DependentAbortError}: `rescued` tells which of the
 * two happened, and `cause` is the upstream or the rescue signal's reason.
 * Dependencies are looked at only after `upstream` has aborted (promises get
 * their handlers at once, so their rejections are never unhandled). The signal
 * keeps at most one listener on `upstream`, on the rescue signal and on one
 * dependency signal at a time, and removes them all when it aborts. It uses no
 * `AbortSignal.any` and runs no user code in an abort listener.
 *
 * @param upstream The signal whose abort starts the wait for the dependencies.
 * @param options The dependencies and the rescue signal.
 * @returns A new signal, already aborted if `rescue` has aborted, or if
 * `upstream` has aborted and every dependency is an aborted signal.
 * @throws {TypeError} If `upstream`, `options`, `options.after`, one of its
 * dependencies or `options.rescue` has the wrong type.
 *
 * @example Stop a resource after another has stopped and drained
 * ```ts
 * import { dependentSignal, GoroutineManager } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const hypervisor = new GoroutineManager();
 * const resume = Promise.withResolvers<void>();
 * hypervisor.startForegroundGoroutine(() => resume.promise); // in flight
 *
 * const firecracker = dependentSignal(hypervisor.signal, {
 *   after: [hypervisor], // stopped, then drained
 * });
 * hypervisor.stopAllGoroutines();
 * await Promise.resolve();
 * assert.equal(firecracker.aborted, false); // the resume is still running
 *
 * resume.resolve();
 * await hypervisor.wait();
 * await new Promise((resolve) => setTimeout(resolve, 0));
 * assert.equal(firecracker.aborted, true);
 * assert.equal(firecracker.reason.rescued, false);
 * ```
 *
 * @example Cut the wait short with a rescue signal
 * ```ts
 * import { dependentSignal } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const interrupt = new AbortController();
 * const rescue = new AbortController(); // a second interrupt
 * const signal = dependentSignal(interrupt.signal, {
 *   after: [new Promise(() => {})], // a drain that hangs
 *   rescue: rescue.signal,
 * });
 * interrupt.abort();
 * rescue.abort();
 * assert.equal(signal.aborted, true);
 * assert.equal(signal.reason.rescued, true);
 * ```
 */
export function dependentSignal(
  upstream: AbortSignal,
  options: DependentSignalOptions = {},
): AbortSignal {
  if (!(upstream instanceof AbortSignal)) {
    throw invalid(CREATE, "upstream", "an AbortSignal", upstream);
  }
  if (typeof options !== "object" || options === null) {
    throw invalid(CREATE, "options", "an object", options);
  }
  const { after = [], rescue } = options;
  if (rescue !== undefined && !(rescue instanceof AbortSignal)) {
    throw invalid(CREATE, "rescue", "an AbortSignal", rescue);
  }
  if (typeof after?.[Symbol.iterator] !== "function") {
    throw invalid(CREATE, "after", "iterable", after);
  }
  const steps: (AbortSignal | (() => unknown))[] = [];
  let index = 0;
  for (const dependency of after as Iterable<unknown>) {
    if (dependency instanceof AbortSignal || typeof dependency === "function") {
      steps.push(dependency as AbortSignal | (() => unknown));
    } else if (typeof dependency !== "object" || dependency === null) {
      throw invalidDependency(index, dependency);
    } else if (
      typeof (dependency as PromiseLike<unknown>).then === "function"
    ) {
      // Handled now, in the turn it is passed in, awaited in its turn.
      const settled = Promise.resolve(dependency).then(noop, noop);
      steps.push(() => settled);
    } else {
      const drainable = dependency as Drainable;
      if (
        !(drainable.signal instanceof AbortSignal) ||
        typeof drainable.wait !== "function"
      ) {
        throw invalidDependency(index, dependency);
      }
      steps.push(drainable.signal, () => drainable.wait());
    }
    index++;
  }

  const controller = new AbortController();
  const { signal } = controller;
  let offUpstream = noop;
  let offRescue = noop;
  let offStep = noop;
  index = 0;
  const settle = (rescued: boolean, reason: unknown): void => {
    if (signal.aborted) return;
    offUpstream();
    offRescue();
    offStep();
    try {
      controller.abort(new DependentAbortError(rescued, reason));
    } catch {
      // workerd (compat dates before 2026-09-15) lets a throwing abort
      // listener escape abort(); it belongs to that listener, not to the
      // upstream or dependency whose abort called us.
    }
  };
  // Walks the dependencies in order; called when upstream aborts and each time
  // the dependency it waits for finishes.
  const step = (): void => {
    offStep = noop;
    while (!signal.aborted) {
      const next = steps[index++];
      if (next === undefined) return settle(false, upstream.reason);
      if (next instanceof AbortSignal) {
        if (!next.aborted) {
          offStep = onAbort(next, step);
          return;
        }
        continue;
      }
      let result: unknown;
      try {
        result = next();
      } catch {
        continue; // a failed dependency is a finished one
      }
      Promise.resolve(result).then(step, step);
      return;
    }
  };
  if (rescue !== undefined) {
    offRescue = onAbort(rescue, () => settle(true, rescue.reason));
  }
  if (!signal.aborted) offUpstream = onAbort(upstream, step);
  return signal;
}

function invalidDependency(index: number, value: unknown): Error {
  return invalid(
    CREATE,
    `after[${index}]`,
    "a promise, an AbortSignal, a function or an object with 'signal' and 'wait'",
    value,
  );
}
