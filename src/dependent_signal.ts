// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { invalid, isInstance } from "./_to_error.ts";
import { noop } from "./_noop.ts";

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
   * orders shutdowns, errors belong to the code that runs the work. An array
   * (or any iterable that is not a string): a single manager is `[manager]`.
   *
   * @default {[]}
   */
  after?: Iterable<Dependency> | undefined;
  /**
   * A signal that cuts every wait short (Go: the `rescueCtx` parent of a proxy
   * context): when it aborts, the dependent signal aborts at once, even if the
   * upstream signal has not.
   *
   * @default {undefined}
   */
  rescue?: AbortSignal | undefined;
}

const CREATE = "create dependent signal";

/**
 * Returns a signal that aborts only once `upstream` has aborted *and* every
 * dependency has finished, or at once when the rescue signal aborts: the
 * proxy context of Go's README ("a resource that must not shut down before
 * another has stopped and its in-flight work has drained").
 *
 * Its reason is the rescue signal's reason if the rescue cut the wait short,
 * and the upstream signal's reason otherwise (never a wrapper, as std does), so
 * `signal.reason === rescue.reason` tells which of the two happened.
 * Dependencies are looked at only after `upstream` has aborted (promises get
 * their handlers at once, so their rejections are never unhandled). The signal
 * keeps at most one listener on the rescue signal and one on `upstream` or on
 * the dependency signal it waits for, and removes them all when it aborts. It
 * uses no `AbortSignal.any`. A function dependency (or a drainable's `wait()`)
 * whose turn comes when a signal aborts is called from that abort listener, in
 * a `try`: what it throws counts as finished and goes no further.
 *
 * @param upstream The signal whose abort starts the wait for the dependencies.
 * @param options The dependencies and the rescue signal.
 * @returns A new signal, already aborted if `rescue` has aborted, or if
 * `upstream` has aborted and every dependency is an aborted signal.
 * @throws {TypeError} If `upstream` or `options.rescue` is not an
 * `AbortSignal`, `options` is not an object, `options.after` is not an
 * iterable (or is a string, or its iterator throws), or a dependency is not a
 * {@linkcode Dependency}. Every argument and every dependency is checked
 * before anything is done: after a mistake, no listener is added and no
 * promise is touched.
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
 * assert.equal(firecracker.reason, hypervisor.signal.reason);
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
 * assert.equal(signal.reason, rescue.signal.reason);
 * ```
 */
export function dependentSignal(
  upstream: AbortSignal,
  options: DependentSignalOptions = {},
): AbortSignal {
  if (!isInstance(upstream, AbortSignal, "aborted")) {
    throw invalid(CREATE, "upstream", "an AbortSignal", upstream);
  }
  if (Object(options) !== options) {
    throw invalid(CREATE, "options", "an object", options);
  }
  const { after = [], rescue } = options;
  if (rescue !== undefined && !isInstance(rescue, AbortSignal, "aborted")) {
    throw invalid(CREATE, "rescue", "an AbortSignal", rescue);
  }
  let dependencies: unknown[];
  try {
    // A string is iterable, but never a list of dependencies.
    if (typeof after === "string") throw after;
    dependencies = [...after];
  } catch {
    throw invalid(CREATE, "after", "an iterable of Dependency", after);
  }
  // Every dependency is checked before anything is done with any of them.
  const kinds = dependencies.map((dependency, index) => {
    try {
      if (typeof (dependency as PromiseLike<unknown>).then === "function") {
        return 0;
      }
    } catch {
      // null, undefined, a throwing getter, a revoked proxy: checked below.
    }
    if (
      isInstance(dependency, AbortSignal, "aborted") ||
      typeof dependency === "function"
    ) {
      return 1;
    }
    try {
      const { signal, wait } = dependency as Drainable;
      if (
        isInstance(signal, AbortSignal, "aborted") && typeof wait === "function"
      ) {
        return [signal, () => wait.call(dependency)] as const;
      }
    } catch {
      // As above.
    }
    throw invalid(CREATE, `after[${index}]`, "a Dependency", dependency);
  });
  // What `next` waits for, in order, starting with upstream: signals to abort,
  // and functions to call and whose result to wait for.
  const steps: (AbortSignal | (() => unknown))[] = [upstream];
  dependencies.forEach((dependency, index) => {
    const kind = kinds[index]!;
    if (kind === 0) {
      // Handled now, in the turn it is passed in, awaited in its turn. Our own
      // promise adopts it, so a `then` that throws or calls back twice counts
      // once, as settled.
      const settled = new Promise((resolve) => resolve(dependency)).then(
        noop,
        noop,
      );
      steps.push(() => settled);
    } else if (kind === 1) {
      steps.push(dependency as AbortSignal | (() => unknown));
    } else {
      steps.push(...kind);
    }
  });

  const controller = new AbortController();
  const { signal } = controller;
  // The signal `next` listens to: upstream, then each dependency signal.
  let waiting = upstream;
  // Takes the steps that are done, then waits for the next one, or aborts.
  // Called at once, when the rescue signal or the signal it waits for aborts,
  // and when the result it waits for settles. Never throws.
  const next = (): void => {
    waiting.removeEventListener("abort", next);
    for (let step; !signal.aborted;) {
      if (rescue?.aborted || !(step = steps.shift())) {
        rescue?.removeEventListener("abort", next);
        try {
          controller.abort((rescue?.aborted ? rescue : upstream).reason);
        } catch {
          // workerd (compat dates before 2026-09-15) lets a throwing abort
          // listener escape abort(); it belongs to that listener, not to the
          // upstream or dependency whose abort called us.
        }
      } else if (step instanceof AbortSignal) {
        if (!step.aborted) {
          return (waiting = step).addEventListener("abort", next);
        }
      } else {
        let result: unknown;
        try {
          result = step();
        } catch {
          // A dependency that throws has finished.
          continue;
        }
        // Our own promise adopts the result, so a `then` that throws or calls
        // back twice moves on once.
        return void new Promise((resolve) => resolve(result)).then(next, next);
      }
    }
  };
  rescue?.addEventListener("abort", next);
  next();
  return signal;
}
