// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { noop, onAbort } from "./_on_abort.ts";
import { invalid, toError } from "./_to_error.ts";
import type { DependentAbortError } from "./dependent_abort_error.ts";
import { dependentSignal, type Drainable } from "./dependent_signal.ts";
import { GoroutineManager } from "./goroutine_manager.ts";
import { GoroutineStoppedError } from "./goroutine_stopped_error.ts";

/** Options of the {@linkcode ShutdownCascade} constructor. */
export interface ShutdownCascadeOptions {
  /**
   * A signal that starts the cascade when it aborts, like
   * {@linkcode ShutdownCascade.stop} (a first interrupt, a request's end).
   *
   * @default {undefined}
   */
  signal?: AbortSignal;
  /**
   * A signal that cuts the cascade short (a second interrupt): once the cascade
   * has started and this has aborted, every manager is stopped at once and
   * {@linkcode ShutdownCascade.wait} resolves without waiting for the drains.
   *
   * @default {undefined}
   */
  rescue?: AbortSignal;
  /**
   * A deadline in milliseconds for the whole cascade, counted from its start:
   * when it passes, the cascade is rescued as if `rescue` had aborted, with a
   * `TimeoutError` `DOMException`. The timer is cleared when the cascade ends.
   *
   * @default {undefined}
   */
  timeout?: number;
}

/** Options of {@linkcode ShutdownCascade.add}. */
export interface ShutdownCascadeAddOptions {
  /**
   * The names of the managers this one depends on: they are stopped only after
   * this one has stopped and drained. They may be added later, but not so as
   * to close a cycle.
   *
   * @default {[]}
   */
  dependsOn?: Iterable<string>;
  /**
   * The manager to add, with its own options. A new
   * {@linkcode GoroutineManager} if omitted. Do not give it the cascade's
   * signal as its parent signal: the cascade stops it in its turn.
   *
   * @default {new GoroutineManager()}
   */
  manager?: GoroutineManager;
}

interface Member {
  readonly name: string;
  readonly manager: GoroutineManager;
  readonly dependsOn: readonly string[];
  turn?: AbortSignal;
}

const CREATE = "create shutdown cascade";
/** The longest delay `setTimeout` supports everywhere (2^31 - 1 ms). */
const MAX_TIMEOUT = 2_147_483_647;

/**
 * Stops named {@linkcode GoroutineManager}s in dependency order when the
 * application stops or any of them fails: dependents first, each drained (its
 * foreground tasks finished) before what it depends on is stopped. A rescue
 * signal or a deadline cuts it short and stops everything at once. This is the
 * "dependencies and shutdown cascades" of Go's README, built on
 * {@linkcode dependentSignal}: each manager is stopped when a dependent signal
 * of the cascade's signal, after its dependents, aborts.
 *
 * A manager fails when its signal aborts with a collected error or with a
 * parent signal's reason; that starts the same cascade, with the failure as
 * the reason of {@linkcode ShutdownCascade.signal}. A manager stopped by hand
 * with `stopAllGoroutines()` does not.
 *
 * @example Stop an HTTP server before the database it uses
 * ```ts
 * import { ShutdownCascade } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const events: string[] = [];
 * const app = new ShutdownCascade();
 * const db = app.add("db");
 * const http = app.add("http", { dependsOn: ["db"] });
 * for (const [name, manager] of [["db", db], ["http", http]] as const) {
 *   manager.startForegroundGoroutine(async (signal) => {
 *     await new Promise((resolve) => signal.addEventListener("abort", resolve));
 *     events.push(`${name} closed`);
 *   });
 * }
 * app.stop();
 * await app.wait();
 * assert.deepEqual(events, ["http closed", "db closed"]);
 * assert.equal(app.error, undefined);
 * ```
 *
 * @example A second interrupt cuts the drain short
 * ```ts
 * import { ShutdownCascade } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const rescue = new AbortController();
 * const app = new ShutdownCascade({ rescue: rescue.signal });
 * const db = app.add("db");
 * const http = app.add("http", { dependsOn: ["db"] });
 * const hung = Promise.withResolvers<void>();
 * http.startForegroundGoroutine(() => hung.promise); // ignores its signal
 * app.stop();
 * rescue.abort(new Error("second interrupt"));
 * await app.wait(); // does not wait for "http"
 * assert.equal(db.signal.aborted, true);
 * assert.match(app.error?.message ?? "", /"http"/);
 * hung.resolve();
 * ```
 */
export class ShutdownCascade {
  readonly #controller: AbortController = new AbortController();
  readonly #members: Map<string, Member> = new Map();
  readonly #done: PromiseWithResolvers<void> = Promise.withResolvers<void>();
  readonly #errors: Error[] = [];
  #offParent: () => void;
  #rescue: AbortSignal | undefined;
  #timeout: number | undefined;

  /**
   * Creates a cascade. It does nothing until it is stopped: no timers, and at
   * most one listener, on `options.signal`, removed when the cascade starts.
   *
   * @param options A signal that starts the cascade, a rescue signal and a
   * deadline, all optional.
   * @throws {TypeError} If `options`, `options.signal`, `options.rescue` or
   * `options.timeout` has the wrong type.
   * @throws {TypeError} If `options.timeout` is not a number.
   * @throws {RangeError} If `options.timeout` is not between 0 and 2147483647
   * or `Infinity`.
   *
   * @example Start the cascade from a signal
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const interrupt = new AbortController();
   * const app = new ShutdownCascade({ signal: interrupt.signal, timeout: 10_000 });
   * const worker = app.add("worker");
   * interrupt.abort();
   * assert.equal(app.signal.aborted, true);
   * assert.equal(worker.signal.aborted, true);
   * await app.wait();
   * ```
   */
  constructor(options: ShutdownCascadeOptions = {}) {
    if (typeof options !== "object" || options === null) {
      throw invalid(CREATE, "options", "an object", options);
    }
    const { signal, rescue, timeout } = options;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw invalid(CREATE, "signal", "an AbortSignal", signal);
    }
    if (rescue !== undefined && !(rescue instanceof AbortSignal)) {
      throw invalid(CREATE, "rescue", "an AbortSignal", rescue);
    }
    if (timeout !== undefined) {
      if (typeof timeout !== "number") {
        throw invalid(CREATE, "timeout", "a number", timeout);
      }
      if (!(timeout >= 0 && (timeout <= MAX_TIMEOUT || timeout === Infinity))) {
        throw invalid(
          CREATE,
          "timeout",
          `between 0 and ${MAX_TIMEOUT} or Infinity`,
          timeout,
          RangeError,
        );
      }
      if (timeout !== Infinity) this.#timeout = timeout;
    }
    this.#rescue = rescue;
    this.#offParent = signal === undefined
      ? noop
      : onAbort(signal, () => this.#start(signal.reason));
  }

  /**
   * Aborts when the cascade starts: with a {@linkcode GoroutineStoppedError}
   * after {@linkcode ShutdownCascade.stop}, with the parent signal's reason, or
   * with the error (or the parent signal's reason) of the manager that failed.
   *
   * @example Usage
   * ```ts
   * import { GoroutineStoppedError, ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * app.add("worker").startBackgroundGoroutine(() => {
   *   throw new Error("worker failed");
   * });
   * assert.equal(app.signal.reason.message, "worker failed");
   * assert.ok(!(app.signal.reason instanceof GoroutineStoppedError));
   * await app.wait();
   * ```
   */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * The errors of every manager, in the order the managers were added, then
   * the cascade's own: a rescue that cut a drain short, a dependency name that
   * no manager had when the cascade started. A snapshot.
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * app.add("a").startForegroundGoroutine(() => Promise.reject(new Error("a")));
   * app.add("b").startForegroundGoroutine(() => Promise.reject(new Error("b")));
   * await app.wait();
   * assert.deepEqual(app.errors.map((e) => e.message), ["a", "b"]);
   * ```
   */
  get errors(): readonly Error[] {
    const errors: Error[] = [];
    for (const { manager } of this.#members.values()) {
      errors.push(...manager.errors);
    }
    return errors.concat(this.#errors);
  }

  /**
   * The errors as one: `undefined` if there are none, the error itself if
   * there is one, and an `AggregateError` of all of them otherwise.
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * app.add("db").startForegroundGoroutine(() => {
   *   throw new Error("connection lost");
   * });
   * await app.wait();
   * assert.equal(app.error?.message, "connection lost");
   * ```
   */
  get error(): Error | undefined {
    const errors = this.errors;
    return errors.length < 2 ? errors[0] : new AggregateError(
      errors,
      `Shutdown cascade collected ${errors.length} errors`,
    );
  }

  /**
   * Adds a named manager, created or given, that the cascade stops in its
   * turn: after every manager that depends on it has stopped and drained.
   * When the manager fails, the cascade starts.
   *
   * @param name A unique, non-empty name, used in error messages.
   * @param options The names of the managers it depends on, and the manager.
   * @returns The manager.
   * @throws {TypeError} If `name`, `options`, `options.dependsOn` or one of its
   * names, or `options.manager` has the wrong type, or if the cascade has
   * started.
   * @throws {RangeError} If `name` is taken, or if the dependencies would close
   * a cycle (the message names it).
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * app.add("api", { dependsOn: ["db"] }); // "db" may come later
   * app.add("db");
   * assert.throws(() => app.add("migrations", { dependsOn: ["migrations"] }), {
   *   name: "RangeError",
   *   message: /"migrations" -> "migrations"/,
   * });
   * ```
   */
  add(name: string, options: ShutdownCascadeAddOptions = {}): GoroutineManager {
    if (typeof name !== "string" || name === "") {
      throw invalid(
        "add to shutdown cascade",
        "name",
        "a non-empty string",
        name,
      );
    }
    const action = `add ${JSON.stringify(name)} to shutdown cascade`;
    if (typeof options !== "object" || options === null) {
      throw invalid(action, "options", "an object", options);
    }
    const { dependsOn = [], manager = new GoroutineManager() } = options;
    if (!(manager instanceof GoroutineManager)) {
      throw invalid(action, "manager", "a GoroutineManager", manager);
    }
    if (typeof dependsOn?.[Symbol.iterator] !== "function") {
      throw invalid(action, "dependsOn", "iterable", dependsOn);
    }
    const names = [...dependsOn];
    for (const dependency of names) {
      if (typeof dependency !== "string") {
        throw invalid(action, "dependsOn", "strings", dependency);
      }
    }
    if (this.#controller.signal.aborted) {
      throw new TypeError(`Cannot ${action} as it has started`);
    }
    if (this.#members.has(name)) {
      throw new RangeError(`Cannot ${action} as the name is taken`);
    }
    for (const dependency of names) {
      const path = this.#path(dependency, name, new Set());
      if (path !== undefined) {
        throw new RangeError(
          `Cannot ${action} as it would close the dependency cycle ${
            [name, ...path].map((n) => JSON.stringify(n)).join(" -> ")
          }`,
        );
      }
    }
    this.#members.set(name, { name, manager, dependsOn: names });
    onAbort(manager.signal, () => {
      const { error, signal } = manager;
      if (
        error !== undefined ||
        signal.reason !== manager.getErrGoroutineStopped()
      ) {
        this.#start(error ?? signal.reason);
      }
    });
    return manager;
  }

  /**
   * Starts the cascade (Go: the first interrupt): managers that nothing
   * depends on are stopped at once, the others each in their turn. Does not
   * wait; call {@linkcode ShutdownCascade.wait} for that. Calls after the
   * first do nothing.
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * const db = app.add("db");
   * const api = app.add("api", { dependsOn: ["db"] });
   * api.startForegroundGoroutine(() => Promise.resolve());
   * app.stop();
   * assert.equal(api.signal.aborted, true);
   * assert.equal(db.signal.aborted, false); // until "api" has drained
   * await app.wait();
   * assert.equal(db.signal.aborted, true);
   * ```
   */
  stop(): void {
    this.#start(new GoroutineStoppedError("Shutdown cascade stopped"));
  }

  /**
   * Resolves when the cascade has started and every manager has been stopped
   * and has drained, or as soon as the rescue signal or the deadline cuts it
   * short. It never rejects: read {@linkcode ShutdownCascade.errors}
   * afterwards, which then also names the managers whose drain it cut short.
   *
   * @returns A promise that resolves when the cascade is over.
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade({ timeout: 0 });
   * app.add("stuck").startForegroundGoroutine(() => new Promise(() => {}));
   * app.stop();
   * await app.wait(); // the deadline cut the drain short
   * assert.equal(app.error?.cause instanceof DOMException, true);
   * ```
   */
  wait(): Promise<void> {
    return this.#done.promise;
  }

  /**
   * Stops the cascade, waits for it, then throws
   * {@linkcode ShutdownCascade.error} if there is one, so that
   * `await using app = new ShutdownCascade()` shuts everything down in order
   * at the end of the scope.
   *
   * @returns A promise that resolves when the cascade is over.
   * @throws {Error} The collected error (an `AggregateError` for several).
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * app.add("db").startForegroundGoroutine(() => {
   *   throw new Error("boom");
   * });
   * await assert.rejects(app[Symbol.asyncDispose](), { message: "boom" });
   * ```
   */
  async [Symbol.asyncDispose](): Promise<void> {
    this.stop();
    await this.wait();
    const error = this.error;
    if (error !== undefined) throw error;
  }

  /** The names from `from` to `to` along `dependsOn`, if `to` is reachable. */
  #path(from: string, to: string, seen: Set<string>): string[] | undefined {
    if (from === to) return [to];
    if (seen.has(from)) return;
    seen.add(from);
    for (const next of this.#members.get(from)?.dependsOn ?? []) {
      const path = this.#path(next, to, seen);
      if (path !== undefined) return [from, ...path];
    }
  }

  #start(reason: unknown): void {
    const controller = this.#controller;
    if (controller.signal.aborted) return;
    this.#offParent();
    const members = [...this.#members.values()];
    // Our own rescue signal, fed by the user's and by the deadline, so that a
    // long-lived rescue signal carries one listener, removed at the end.
    const rescue = new AbortController();
    const userRescue = this.#rescue;
    const offRescue = userRescue === undefined
      ? noop
      : onAbort(userRescue, () => rescue.abort(userRescue.reason));
    const timeout = this.#timeout;
    const timer = timeout === undefined ? undefined : setTimeout(
      () =>
        rescue.abort(
          new DOMException("Shutdown cascade timed out", "TimeoutError"),
        ),
      timeout,
    );
    try {
      controller.abort(reason);
    } catch (error) {
      // workerd (compat dates before 2026-09-15) lets a throwing abort
      // listener escape abort(); keep it.
      this.#errors.push(toError(error));
    }
    for (const { name, dependsOn } of members) {
      for (const dependency of dependsOn) {
        if (!this.#members.has(dependency)) {
          this.#errors.push(
            new RangeError(
              `Cannot stop ${JSON.stringify(dependency)} after ${
                JSON.stringify(name)
              } as no manager is named ${JSON.stringify(dependency)}`,
            ),
          );
        }
      }
    }
    // Each manager's turn: a dependent signal of ours that aborts once the
    // turns of the managers that depend on it have come and they drained.
    const turnOf = (member: Member): Drainable => {
      const { manager } = member;
      if (member.turn === undefined) {
        const turn = member.turn = dependentSignal(controller.signal, {
          after: members
            .filter((other) => other.dependsOn.includes(member.name))
            .map(turnOf),
          rescue: rescue.signal,
        });
        onAbort(turn, () => manager.stopAllGoroutines());
      }
      return { signal: member.turn, wait: () => manager.wait() };
    };
    const done = dependentSignal(controller.signal, {
      after: members.map(turnOf),
      rescue: rescue.signal,
    });
    onAbort(done, () => {
      offRescue();
      clearTimeout(timer);
      const { rescued, cause } = done.reason as DependentAbortError;
      // What the cascade was waiting for: stopped in its turn, not drained.
      const hung = members.filter(({ manager, turn }) =>
        manager.pending > 0 && !(turn?.reason as DependentAbortError).rescued
      );
      if (rescued && hung.length > 0) {
        this.#errors.push(
          new Error(
            `Shutdown cascade was cut short before ${
              hung.map((member) => JSON.stringify(member.name)).join(", ")
            } drained`,
            { cause },
          ),
        );
      }
      this.#done.resolve();
    });
  }
}
