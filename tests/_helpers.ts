// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Shared test helpers: the Go suite's requireBlocked/requireNotBlocked/
// requireDone/requireNotDone, expressed with one macrotask turn instead of
// wall-clock windows.

import assert from "node:assert/strict";
import type { GoroutineManager } from "goroutine-manager";

/**
 * Resolves after every queued microtask has run (one macrotask turn), so work
 * that only waits on already-settled promises has finished.
 */
export function tick(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Whether `promise` settles within one macrotask turn. */
export async function settlesNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await tick();
  return settled;
}

/** Fails if `manager.wait()` is not blocked (Go: requireBlocked). */
export async function requireBlocked(manager: GoroutineManager): Promise<void> {
  assert.equal(
    await settlesNow(manager.wait()),
    false,
    "goroutine manager is not blocked",
  );
}

/** Fails if `manager.wait()` is blocked (Go: requireNotBlocked). */
export async function requireNotBlocked(
  manager: GoroutineManager,
): Promise<void> {
  assert.equal(
    await settlesNow(manager.wait()),
    true,
    "goroutine manager is blocked",
  );
}

/** Fails if the manager's signal has not aborted (Go: requireDone). */
export function requireDone(manager: GoroutineManager): void {
  assert.equal(
    manager.signal.aborted,
    true,
    "expected goroutine signal to be aborted",
  );
}

/** Fails if the manager's signal has aborted (Go: requireNotDone). */
export function requireNotDone(manager: GoroutineManager): void {
  assert.equal(
    manager.signal.aborted,
    false,
    "expected goroutine signal not to be aborted",
  );
}

/** Resolves when `signal` aborts (at once if it has). */
export function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener("abort", () => resolve(), { once: true })
  );
}

/**
 * Collects `unhandledRejection` / `uncaughtException` events while `fn` runs
 * and one macrotask turn after it, through `process.on`, which Node, Deno and
 * Bun all support.
 */
export async function escapes(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const record = (value: unknown) => {
    seen.push(value);
  };
  process.on("unhandledRejection", record);
  process.on("uncaughtException", record);
  try {
    await fn();
    await tick();
    await tick();
  } finally {
    process.off("unhandledRejection", record);
    process.off("uncaughtException", record);
  }
  return seen;
}

/** Counts the live abort listeners a signal has, by wrapping its methods. */
export function countListeners(
  signal: AbortSignal,
): { readonly count: number } {
  const live = new Set<unknown>();
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener =
    ((type: string, listener: unknown, options?: unknown) => {
      if (type === "abort") live.add(listener);
      add(type, listener as EventListener, options as AddEventListenerOptions);
    }) as typeof signal.addEventListener;
  signal.removeEventListener =
    ((type: string, listener: unknown, options?: unknown) => {
      if (type === "abort") live.delete(listener);
      remove(type, listener as EventListener, options as EventListenerOptions);
    }) as typeof signal.removeEventListener;
  return {
    get count() {
      return live.size;
    },
  };
}

/**
 * Counts the live abort listeners of every EventTarget while `fn` runs, by
 * wrapping EventTarget.prototype's methods (restored afterwards).
 */
export async function withListenerCounts(
  fn: (count: (target: EventTarget) => number) => Promise<void>,
): Promise<void> {
  const proto = EventTarget.prototype;
  const { addEventListener: add, removeEventListener: remove } = proto;
  const live = new WeakMap<EventTarget, Set<unknown>>();
  const of = (target: EventTarget) => {
    let set = live.get(target);
    if (!set) live.set(target, set = new Set());
    return set;
  };
  proto.addEventListener = function (
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | AddEventListenerOptions,
  ) {
    if (type === "abort" && listener) of(this).add(listener);
    return add.call(this, type, listener, options);
  };
  proto.removeEventListener = function (
    this: EventTarget,
    type: string,
    listener: EventListenerOrEventListenerObject | null,
    options?: boolean | EventListenerOptions,
  ) {
    if (type === "abort") of(this).delete(listener);
    return remove.call(this, type, listener, options);
  };
  try {
    await fn((target) => of(target).size);
  } finally {
    proto.addEventListener = add;
    proto.removeEventListener = remove;
  }
}
