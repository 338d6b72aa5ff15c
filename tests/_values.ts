// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Shared by tests/fault_matrix.test.ts and the property files
// (tests/properties, limiter_properties, reentrancy_properties): the
// unusual values a task can fail with, a model of the graceful-exit rules
// (CORE_SEMANTICS item 6), the expected shape of a collected error, a
// file-wide watcher of unhandled rejections and uncaught exceptions, and the
// end of a property run.

import { after, before } from "node:test";
import assert from "node:assert/strict";
import {
  GoroutineError,
  GoroutineManager,
  GoroutineStoppedError,
} from "goroutine-manager";
import { tick } from "./_helpers.ts";

/** What a value factory may use: the manager under test and its parent. */
export interface ValueContext {
  /** The manager the failure is reported to. */
  readonly manager: GoroutineManager;
  /** Its parent manager, if the case has one. */
  readonly parent?: GoroutineManager | undefined;
}

/** One kind of value a task can fail with. */
export interface ValueKind {
  /** A short label for assertion messages. */
  readonly kind: string;
  /** Builds a fresh value (a new one per case). */
  readonly make: (ctx: ValueContext) => unknown;
}

/** A proxy handler whose every trap throws. */
function throwingHandler(label: string): ProxyHandler<object> {
  return new Proxy({}, {
    get(_target, trap) {
      return () => {
        throw new Error(`${label}: ${String(trap)} trap`);
      };
    },
  });
}

class CustomError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CustomError";
  }
}

/** The value kinds of the fault matrix (issue 9, CORE_SEMANTICS item 1). */
export const VALUE_KINDS: readonly ValueKind[] = [
  { kind: "Error", make: () => new Error("boom") },
  { kind: "Error subclass", make: () => new CustomError("custom boom") },
  {
    kind: "DOMException AbortError",
    make: () => new DOMException("This operation was aborted", "AbortError"),
  },
  { kind: "string", make: () => "a string" },
  { kind: '""', make: () => "" },
  { kind: "undefined", make: () => undefined },
  { kind: "null", make: () => null },
  { kind: "0", make: () => 0 },
  { kind: "NaN", make: () => NaN },
  { kind: "1n", make: () => 1n },
  { kind: "Symbol()", make: () => Symbol() },
  { kind: "frozen object", make: () => Object.freeze({ code: 7 }) },
  { kind: "null-prototype object", make: () => Object.create(null) },
  {
    kind: "object with throwing toString",
    make: () => ({
      toString() {
        throw new Error("no toString");
      },
    }),
  },
  {
    kind: "object with throwing Symbol.toPrimitive",
    make: () => ({
      [Symbol.toPrimitive]() {
        throw new Error("no toPrimitive");
      },
    }),
  },
  {
    kind: "revoked Proxy",
    make: () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    },
  },
  {
    kind: "Proxy whose getPrototypeOf throws",
    make: () =>
      new Proxy({}, {
        getPrototypeOf() {
          throw new Error("getPrototypeOf trap");
        },
      }),
  },
  {
    kind: "Proxy of an Error whose traps throw",
    make: () => new Proxy(new Error("proxied"), throwingHandler("proxy")),
  },
  {
    kind: "Error whose message getter throws",
    make: () =>
      Object.defineProperty(new Error(), "message", {
        get() {
          throw new Error("message getter");
        },
      }),
  },
  {
    kind: "Error whose name and cause getters throw",
    make: () => {
      const error = new Error("getters");
      for (const key of ["name", "cause"]) {
        Object.defineProperty(error, key, {
          get() {
            throw new Error(`${key} getter`);
          },
        });
      }
      return error;
    },
  },
  {
    kind: "Error whose message is a Symbol",
    make: () =>
      Object.defineProperty(new Error(), "message", { value: Symbol("m") }),
  },
  {
    kind: "Error with a cyclic cause",
    make: () => {
      const a = new Error("a");
      const b = new Error("b", { cause: a });
      a.cause = b;
      return a;
    },
  },
  {
    kind: "the manager's own stop reason",
    make: ({ manager }) => manager.getErrGoroutineStopped(),
  },
  {
    kind: "another manager's stop reason",
    make: () => new GoroutineManager().getErrGoroutineStopped(),
  },
];

/** `value instanceof Error`, false when asking throws (revoked proxy, trap). */
export function isErrorValue(value: unknown): boolean {
  return isInstance(value, Error);
}

function isInstance(
  value: unknown,
  Class: abstract new (...args: never[]) => unknown,
) {
  try {
    return value instanceof Class;
  } catch {
    return false;
  }
}

/**
 * The graceful-exit rules of CORE_SEMANTICS item 6, as a model: whether a
 * `value` collected while the manager's signal is aborted with the stop
 * reason `reason` (its own, or a parent's `GoroutineStoppedError`) is dropped.
 * `reason` is undefined when the signal has not aborted with a stop reason.
 */
export function isGracefulModel(
  value: unknown,
  reason: Error | undefined,
): boolean {
  if (reason === undefined) return false;
  if (value === reason) return true;
  // The cause chain, followed 16 deep at most.
  let current: unknown = value;
  for (let depth = 0; depth < 16; depth++) {
    try {
      if (Object(current) !== current) break;
      current = (current as { cause?: unknown }).cause;
    } catch {
      break;
    }
    if (current === reason) return true;
  }
  let name: unknown, message: unknown;
  try {
    if (Object(value) !== value) return false;
    name = (value as { name?: unknown }).name;
  } catch { /* not readable: not graceful by name */ }
  if (name === "AbortError") return true;
  try {
    message = (value as { message?: unknown }).message;
  } catch { /* not readable */ }
  if (
    name === "GoroutineStoppedError" && message === reason.message &&
    !isInstance(value, GoroutineStoppedError)
  ) return true;
  return typeof message === "string" && message === String(reason);
}

/** Reads `error.message`; a description of the problem if that fails. */
export function readMessage(error: unknown): string | undefined {
  try {
    const message = (error as Error).message;
    if (typeof message !== "string") {
      return `message is a ${typeof message}, not a string`;
    }
    return undefined;
  } catch (e) {
    return `reading message threw ${String(e)}`;
  }
}

/**
 * Checks the shape of a collected `entry` for a failure with `value`:
 * a GoroutineError naming `name` for a tracked task, the Error itself, or a
 * wrapper whose cause is the value. Returns the problems found.
 */
export function shapeProblems(
  entry: unknown,
  value: unknown,
  name: string | undefined,
): string[] {
  const problems: string[] = [];
  if (name !== undefined) {
    if (!(entry instanceof GoroutineError)) {
      problems.push(`expected a GoroutineError, got ${label(entry)}`);
      return problems;
    }
    if (entry.goroutine !== name) {
      problems.push(`goroutine is ${label(entry.goroutine)}, not "${name}"`);
    }
    if (!Object.is(entry.cause, value)) {
      problems.push(`cause is ${label(entry.cause)}, not the value`);
    }
    const bad = readMessage(entry);
    if (bad) problems.push(`GoroutineError ${bad}`);
    else if (!entry.message.includes(name)) {
      problems.push(`message ${JSON.stringify(entry.message)} omits the name`);
    }
    return problems;
  }
  if (isErrorValue(value)) {
    if (entry !== value) {
      problems.push(`expected the Error itself, got ${label(entry)}`);
    }
    return problems;
  }
  if (!isErrorValue(entry)) {
    problems.push(`expected an Error wrapper, got ${label(entry)}`);
    return problems;
  }
  if (entry === value) problems.push("the value itself, not a wrapper");
  let cause: unknown;
  try {
    cause = (entry as Error).cause;
  } catch (e) {
    problems.push(`reading the wrapper's cause threw ${label(e)}`);
    return problems;
  }
  if (!Object.is(cause, value)) {
    problems.push(`wrapper's cause is ${label(cause)}, not the value`);
  }
  const bad = readMessage(entry);
  if (bad) problems.push(`wrapper ${bad}`);
  return problems;
}

/** A never-throwing label for any value, for assertion messages. */
export function label(value: unknown): string {
  try {
    if (typeof value === "string") return JSON.stringify(value);
    if (typeof value === "symbol" || typeof value === "bigint") {
      return value.toString() + (typeof value === "bigint" ? "n" : "");
    }
    if (isErrorValue(value)) {
      const error = value as Error;
      return `${error.constructor?.name}(${String(error.message)})`;
    }
    return String(value);
  } catch {
    return "<unprintable>";
  }
}

/** What the escape watcher saw. */
export interface Escape {
  readonly event: "unhandledRejection" | "uncaughtException";
  readonly value: unknown;
}

/**
 * Listens for `unhandledRejection` and `uncaughtException` through
 * `process.on` (Node, Deno and Bun all forward to it) until `stop()`.
 */
export function watchEscapes(): {
  readonly seen: readonly Escape[];
  since(index: number): Escape[];
  stop(): void;
} {
  const seen: Escape[] = [];
  const onRejection = (value: unknown): void => {
    seen.push({ event: "unhandledRejection", value });
  };
  const onException = (value: unknown): void => {
    seen.push({ event: "uncaughtException", value });
  };
  process.on("unhandledRejection", onRejection);
  process.on("uncaughtException", onException);
  return {
    seen,
    since: (index) => seen.slice(index),
    stop(): void {
      process.off("unhandledRejection", onRejection);
      process.off("uncaughtException", onException);
    },
  };
}

/**
 * A {@linkcode watchEscapes} for the whole test file: installed before its
 * first test and stopped after its last (call it at the file's top level).
 */
export function watchEscapesInFile(): {
  readonly seen: readonly Escape[];
  since(index: number): Escape[];
} {
  let watcher: ReturnType<typeof watchEscapes> | undefined;
  before(() => {
    watcher = watchEscapes();
  });
  after(() => {
    watcher?.stop();
  });
  return {
    get seen(): readonly Escape[] {
      return watcher!.seen;
    },
    since: (index) => watcher!.since(index),
  };
}

/**
 * Ends one run of a property: adds what escaped during it (`escaped`, from
 * the file's watcher) to `violations`, then fails with all of them, the
 * program and, if given, the order the scheduler released its tasks in.
 */
export function assertNoViolations(
  violations: string[],
  escaped: readonly Escape[],
  program: string,
  scheduler?: { report(): readonly { readonly label: string }[] },
): void {
  for (const { event, value } of escaped) {
    violations.push(`${event}: ${label(value)}`);
  }
  if (violations.length) {
    assert.fail(
      `${violations.join("\n")}\nprogram: ${program}${
        scheduler
          ? `\nscheduler: ${scheduler.report().map((r) => r.label).join(", ")}`
          : ""
      }`,
    );
  }
}

/** Waits `n` macrotask turns. */
export async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}
