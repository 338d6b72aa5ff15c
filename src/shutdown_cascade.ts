// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { joinErrors } from "./_join_errors.ts";
import { onAbort } from "./_on_abort.ts";
import { invalid, isInstance, toError } from "./_to_error.ts";
import { GoroutineManager } from "./goroutine_manager.ts";
import { dependentSignal } from "./dependent_signal.ts";
import { GoroutineStoppedError } from "./goroutine_stopped_error.ts";

/** Options of the {@linkcode ShutdownCascade} constructor. */
export interface ShutdownCascadeOptions {
  /**
   * A signal that cuts the cascade short (a second interrupt, or a deadline):
   * once the cascade has started and this has aborted, every manager is
   * stopped at once and {@linkcode ShutdownCascade.wait} resolves without
   * waiting for the drains. For a deadline counted from the start of the
   * cascade, abort it from a timer that you start when you stop the cascade
   * (see the constructor's examples).
   *
   * @default {undefined}
   */
  rescue?: AbortSignal | undefined;
}

/** Options of {@linkcode ShutdownCascade.add}. */
export interface ShutdownCascadeAddOptions {
  /**
   * The names of the managers this one depends on: they are stopped only after
   * this one has stopped and drained. They must have been added already, so
   * that no dependency cycle can be declared. An array (or any iterable) of
   * names: a single name is `["db"]`, not `"db"` (a string is iterable, so the
   * type asks for an object: `"db"` is a compile error too).
   *
   * @default {[]}
   */
  dependsOn?: (Iterable<string> & object) | undefined;
  /**
   * The manager to add, with its own options. A new
   * {@linkcode GoroutineManager} if omitted. Do not give it the cascade's
   * signal as its parent signal: the cascade stops it in its turn. A manager
   * can be added to one cascade only, once.
   *
   * @default {new GoroutineManager()}
   */
  manager?: GoroutineManager | undefined;
}

/** A manager of the cascade. */
interface Member {
  readonly name: string;
  readonly manager: GoroutineManager;
  /** The members that depend on this one: its turn comes after they drained. */
  readonly dependents: Member[];
  /** Resolves when its turn came and it drained (set when the cascade starts). */
  drained?: PromiseWithResolvers<void> & { done?: boolean };
}

const CREATE = "create shutdown cascade";

/**
 * Every manager added to a cascade: a manager belongs to one cascade, under
 * one name, for good (two turns in two orders would contradict each other,
 * and its errors would be reported twice).
 */
const added = new WeakSet<GoroutineManager>();

/**
 * Stops named {@linkcode GoroutineManager}s in dependency order when the
 * application stops or any of them fails: dependents first, each drained (its
 * foreground tasks finished) before what it depends on is stopped, and
 * managers that do not depend on each other at the same time. A rescue signal
 * (a second interrupt, a deadline) cuts it short and stops everything at once.
 * This is the "dependencies and shutdown cascades" of Go's README for a whole
 * application; for a single resource that must outlive others, see
 * {@linkcode dependentSignal}.
 *
 * A manager fails when its signal aborts with a collected error, or with a
 * parent signal's reason that is not a {@linkcode GoroutineStoppedError}; that
 * starts the same cascade, with the failure as the reason of
 * {@linkcode ShutdownCascade.signal}. A manager stopped gracefully does not:
 * stopped by hand with `stopAllGoroutines()`, or by a parent manager's
 * graceful stop (its signal's reason is a `GoroutineStoppedError`, and it
 * collected no error).
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
  readonly #members: Member[] = [];
  readonly #done: PromiseWithResolvers<void> = Promise.withResolvers<void>();
  readonly #errors: Error[] = [];
  // The errors `error` last joined, and what it returned for them.
  #joined: [readonly Error[], Error | undefined] = [[], undefined];
  #rescue: AbortSignal | undefined;

  /**
   * Creates a cascade. It does nothing until it is stopped: no timers, and no
   * listener on the rescue signal before then.
   *
   * @param options A rescue signal, optional. To start the cascade from a
   * signal (a first interrupt, a request's end), call
   * {@linkcode ShutdownCascade.stop} when it aborts, or use
   * {@linkcode handleProcessSignals}.
   * @throws {TypeError} If `options` is not an object or `options.rescue` is
   * not an `AbortSignal`.
   *
   * @example A deadline for the drains, counted from the stop
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const deadline = new AbortController();
   * const app = new ShutdownCascade({ rescue: deadline.signal });
   * app.add("stuck").startForegroundGoroutine(() => new Promise(() => {}));
   * app.stop();
   * const timer = setTimeout(
   *   () => deadline.abort(new DOMException("Too slow", "TimeoutError")),
   *   10,
   * );
   * await app.wait(); // the deadline cut the drain short
   * clearTimeout(timer);
   * assert.equal((app.error?.cause as DOMException).name, "TimeoutError");
   * ```
   */
  constructor(options: ShutdownCascadeOptions = {}) {
    if (Object(options) !== options) {
      throw invalid(CREATE, "options", "an object", options);
    }
    const { rescue } = options;
    if (rescue !== undefined && !isInstance(rescue, AbortSignal, "aborted")) {
      throw invalid(CREATE, "rescue", "an AbortSignal", rescue);
    }
    this.#rescue = rescue;
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
   * the cascade's own: a rescue that cut a drain short. A snapshot.
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
  get errors(): Error[] {
    return this.#members
      .flatMap(({ manager }) => manager.errors)
      .concat(this.#errors);
  }

  /**
   * The errors as one: `undefined` if there are none, the error itself if
   * there is one, and an `AggregateError` of all of them otherwise. While no
   * error is added, it returns the same object each time (as
   * {@linkcode GoroutineManager.error} does), so the error that
   * `await using` throws is `app.error`.
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
    const [last] = this.#joined;
    // Errors are only ever added, so a longer list differs at some index.
    if (errors.some((error, i) => error !== last[i])) {
      this.#joined = [errors, joinErrors(errors as Error[])];
    }
    return this.#joined[1];
  }

  /**
   * Adds a named manager, created or given, that the cascade stops in its
   * turn: after every manager that depends on it has stopped and drained.
   * When the manager fails, the cascade starts. A manager belongs to one
   * cascade under one name: adding it twice, to this cascade or another one,
   * throws. Every argument is checked before anything is registered.
   *
   * @param name A unique, non-empty name, used in error messages.
   * @param options The names of the managers it depends on, and the manager.
   * @returns The manager.
   * @throws {TypeError} If `name` is not a non-empty string, `options` is not
   * an object, `options.dependsOn` is not an iterable of strings (a string
   * alone is not), `options.manager` is not a {@linkcode GoroutineManager}, or
   * the cascade has started.
   * @throws {RangeError} If `name` is taken, if `options.manager` was added
   * to a cascade already, or if a name in `options.dependsOn` is not the name
   * of a manager added before, which rejects every dependency cycle.
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade();
   * app.add("db");
   * app.add("api", { dependsOn: ["db"] }); // "db" must come first
   * assert.throws(() => app.add("migrations", { dependsOn: ["migrations"] }), {
   *   name: "RangeError",
   *   message: /no manager is named "migrations" yet/,
   * });
   * ```
   */
  add(name: string, options: ShutdownCascadeAddOptions = {}): GoroutineManager {
    if (typeof name !== "string" || !name) {
      throw invalid(
        "add to shutdown cascade",
        "name",
        "a non-empty string",
        name,
      );
    }
    const action = `add ${JSON.stringify(name)} to shutdown cascade`;
    if (Object(options) !== options) {
      throw invalid(action, "options", "an object", options);
    }
    const { dependsOn = [], manager = new GoroutineManager() } = options;
    if (!isInstance(manager, GoroutineManager, "pending")) {
      throw invalid(action, "manager", "a GoroutineManager", manager);
    }
    let names: unknown[];
    try {
      // A string is iterable, but never a list of names: "db" is not ["d", "b"].
      if (typeof dependsOn === "string") throw dependsOn;
      names = [...dependsOn];
    } catch {
      throw invalid(action, "dependsOn", "an iterable of strings", dependsOn);
    }
    const members = this.#members;
    if (this.#controller.signal.aborted) {
      throw new TypeError(`Cannot ${action} as it has started`);
    }
    if (members.some((member) => member.name === name)) {
      throw new RangeError(`Cannot ${action} as the name is taken`);
    }
    if (added.has(manager)) {
      throw new RangeError(
        `Cannot ${action} as its manager was added to a shutdown cascade already`,
      );
    }
    // Dependencies come first, so that no cycle can be declared.
    const dependencies = new Set<Member>();
    names.forEach((dependency, index) => {
      if (typeof dependency !== "string") {
        throw invalid(action, `dependsOn[${index}]`, "a string", dependency);
      }
      const member = members.find((member) => member.name === dependency);
      if (!member) {
        throw new RangeError(
          `Cannot ${action} as no manager is named ${
            JSON.stringify(dependency)
          } yet`,
        );
      }
      dependencies.add(member);
    });
    added.add(manager);
    const member: Member = { name, manager, dependents: [] };
    for (const { dependents } of dependencies) dependents.push(member);
    members.push(member);
    onAbort(manager.signal, () => {
      // A graceful stop (its own, or a parent manager's) with nothing
      // collected is no failure.
      const { error, signal: { reason } } = manager;
      if (error || !isInstance(reason, GoroutineStoppedError)) {
        this.#start(error ?? reason);
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
    this.#start(new GoroutineStoppedError());
  }

  /**
   * Resolves when the cascade has started and every manager has been stopped
   * and has drained, or as soon as the rescue signal cuts it short. It never
   * rejects: read {@linkcode ShutdownCascade.errors} afterwards, which then
   * also names the managers whose drain it cut short.
   *
   * @returns A promise that resolves when the cascade is over.
   *
   * @example Usage
   * ```ts
   * import { ShutdownCascade } from "goroutine-manager";
   * import assert from "node:assert/strict";
   *
   * const app = new ShutdownCascade({ rescue: AbortSignal.abort() });
   * app.add("stuck").startForegroundGoroutine(() => new Promise(() => {}));
   * app.stop();
   * await app.wait(); // the rescue cut the drain short
   * assert.match(app.error?.message ?? "", /"stuck" drained/);
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
    if (error) throw error;
  }

  #start(reason: unknown): void {
    const controller = this.#controller;
    if (controller.signal.aborted) return;
    const members = this.#members;
    const errors = this.#errors;
    const rescue = this.#rescue;
    try {
      controller.abort(reason);
    } catch (error) {
      errors.push(toError(error));
    }
    // Assigned below, but read by end(), which an aborted rescue calls at once:
    // a const would still be in its temporal dead zone then.
    // deno-lint-ignore prefer-const
    let offRescue: (() => void) | undefined;
    const end = (): void => {
      offRescue?.();
      this.#done.resolve();
    };
    offRescue = rescue && onAbort(rescue, () => {
      // Draining, or about to: pending work, and every dependent drained.
      const hung = members.filter(({ manager, dependents }) =>
        manager.pending && dependents.every(({ drained }) => drained?.done)
      );
      if (hung.length) {
        errors.push(
          new Error(
            `Shutdown cascade was cut short before ${
              hung.map(({ name }) => JSON.stringify(name)).join(", ")
            } drained`,
            { cause: rescue.reason },
          ),
        );
      }
      for (const { manager } of members) manager.stopAllGoroutines();
      end();
    });
    // Each member's turn is a dependent signal: after the cascade started and
    // every member that depends on it had its turn and drained, or at once on
    // the rescue.
    for (const member of members) member.drained = Promise.withResolvers();
    for (const { manager, dependents, drained } of members) {
      onAbort(
        dependentSignal(controller.signal, {
          after: dependents.map(({ drained }) => drained!.promise),
          rescue,
        }),
        () => {
          manager.stopAllGoroutines();
          manager.wait().then(() => {
            drained!.done = true;
            drained!.resolve();
          });
        },
      );
    }
    Promise.all(members.map(({ drained }) => drained!.promise)).then(end);
  }
}
