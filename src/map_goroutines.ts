// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { checkCount } from "./_check_limit.ts";
import { onAbort } from "./_on_abort.ts";
import { describe, invalid, isInstance } from "./_to_error.ts";
import { GoroutineManager } from "./goroutine_manager.ts";
import { noop } from "./_noop.ts";

/** Options of {@linkcode mapGoroutines}. */
export interface MapGoroutinesOptions {
  /**
   * How many items are mapped at once: a positive integer or `Infinity`.
   *
   * @default {Infinity}
   */
  limit?: number | undefined;
}

const ACTION = "map goroutines";

/** An iterator's step, which must be an object (as `for…of` requires). */
function checkStep<T>(step: IteratorResult<T>): IteratorResult<T> {
  if (Object(step) !== step) {
    throw new TypeError(`Iterator result ${describe(step)} is not an object`);
  }
  return step;
}

/**
 * Maps `input` (an iterable or an async iterable) through `mapper` as
 * foreground goroutines of `manager`, at most `options.limit` at a time, and
 * resolves with the results in input order (like `p-map`, or Go's errgroup
 * filling a slice by index).
 *
 * Items are read lazily: the next one only when a slot is free, so a huge or
 * endless input is never buffered (an array is read by index, without its
 * iterator). Every mapper call gets the signal of its
 * goroutine. A mapper's failure (or the input's) is collected by the manager
 * and stops it, like any task's: no other item is read or started, mappers
 * still running are asked to stop through their signal, and the returned
 * promise rejects at once with that first failure. If the manager stops for
 * another reason first (`stopAllGoroutines()`, another task's failure, a
 * parent signal), the promise rejects with the manager's `signal.reason` (its
 * `GoroutineStoppedError` after a stop). Either way `manager.wait()` waits for
 * the mappers that were running, and a stopped input iterator is closed
 * (`return()`). The promise never becomes an unhandled rejection if nobody
 * awaits it.
 *
 * @typeParam T The items' type.
 * @typeParam R What `mapper` returns (or its promise resolves with).
 * @param manager The manager that runs the mappers and collects their errors.
 * @param input The items: an iterable or an async iterable.
 * @param mapper Called with an item, its index and its goroutine's signal.
 * @param options The concurrency limit.
 * @returns The results, in input order.
 * @throws {TypeError} If `manager` is not a {@linkcode GoroutineManager},
 * `input` is not iterable, `mapper` is not a function, `options` is not an
 * object or `options.limit` is not a number.
 * @throws {RangeError} If `options.limit` is not a positive integer or
 * `Infinity`.
 *
 * @example Results in input order, eight at a time
 * ```ts
 * import { GoroutineManager, mapGoroutines } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const squares = await mapGoroutines(
 *   manager,
 *   [1, 2, 3, 4],
 *   async (n) => {
 *     await new Promise((resolve) => setTimeout(resolve, 5 - n));
 *     return n * n;
 *   },
 *   { limit: 8 },
 * );
 * assert.deepEqual(squares, [1, 4, 9, 16]);
 * ```
 *
 * @example The first failure stops the map and the manager
 * ```ts
 * import { GoroutineManager, mapGoroutines } from "goroutine-manager";
 * import assert from "node:assert/strict";
 *
 * const manager = new GoroutineManager();
 * const mapped = mapGoroutines(manager, [1, 2, 3], async (n) => {
 *   if (n === 2) throw new Error(`item ${n} failed`);
 *   return n;
 * }, { limit: 1 });
 * await assert.rejects(mapped, { message: "item 2 failed" });
 * await manager.wait();
 * assert.equal(manager.error?.message, "item 2 failed");
 * ```
 */
export function mapGoroutines<T, R>(
  manager: GoroutineManager,
  input: Iterable<T> | AsyncIterable<T>,
  mapper: (item: T, index: number, signal: AbortSignal) => R,
  options: MapGoroutinesOptions = {},
): Promise<Awaited<R>[]> {
  if (!isInstance(manager, GoroutineManager, "pending")) {
    throw invalid(ACTION, "manager", "a GoroutineManager", manager);
  }
  const asyncIterator = (input as AsyncIterable<T> | undefined)
    ?.[Symbol.asyncIterator];
  const syncIterator = (input as Iterable<T> | undefined)?.[Symbol.iterator];
  const isAsync = typeof asyncIterator === "function";
  if (!isAsync && typeof syncIterator !== "function") {
    throw invalid(ACTION, "input", "an iterable or async iterable", input);
  }
  if (typeof mapper !== "function") {
    throw invalid(ACTION, "mapper", "a function", mapper);
  }
  if (Object(options) !== options) {
    throw invalid(ACTION, "options", "an object", options);
  }
  const { limit = Infinity } = options;
  checkCount(ACTION, "options.limit", limit);
  const { promise, resolve, reject } = Promise.withResolvers<Awaited<R>[]>();
  promise.catch(noop);
  const stopSignal = manager.signal;
  if (stopSignal.aborted) {
    reject(stopSignal.reason);
    return promise;
  }
  // Arrays are read by index (no iterator); other inputs through theirs,
  // made by the first worker (at once), so that a throw is its failure.
  const array = Array.isArray(input) ? input as readonly T[] : undefined;
  let iterator: AsyncIterator<T> | Iterator<T> | undefined;
  // Allocated at once for an array (its length is set again at the end).
  const results: Awaited<R>[] = array ? Array(array.length) : [];
  // The index of the next read (taken as the read starts, so that reads that
  // resolve out of order keep input order), and of the first `done`.
  let index = 0;
  let end = Infinity;
  let workers = 0;
  let exhausted = false;
  let settled = false;
  let spawning = false;
  let open = true;
  // Closes the input once: as the map fails (a mapper may never return), or
  // when the last worker ends if it could not then (a generator still
  // running: one that stopped the manager from its own body).
  const close = (): void => {
    try {
      const closing = iterator?.return?.() as Promise<unknown> | undefined;
      open = false;
      closing?.then?.(noop, noop);
    } catch {
      // A throwing return(), or a generator still running.
    }
  };
  const finish = (error?: unknown, failed?: boolean): void => {
    if (settled) return;
    settled = true;
    off();
    if (failed) {
      reject(error);
      close();
    } else {
      results.length = end;
      resolve(results);
    }
  };
  const off = onAbort(stopSignal, () => finish(stopSignal.reason, true));
  const worker = async (signal: AbortSignal): Promise<void> => {
    try {
      iterator ??= array
        ? undefined
        : isAsync
        ? asyncIterator.call(input)
        : syncIterator!.call(input as Iterable<T>);
      while (!settled) {
        // Read by index, as a for…of over an array would; or the next step.
        const i = index++;
        let step: IteratorResult<T> | undefined;
        if (
          array ? i >= array.length : (step = checkStep(
            isAsync ? await iterator!.next() : (iterator as Iterator<T>).next(),
          )).done
        ) {
          end = Math.min(end, i);
          exhausted = true;
          break;
        }
        const item = array ? array[i]! : step!.value;
        // The next worker reads at once (its read may stop the manager).
        if (isAsync) more();
        // An item that arrived after the stop or after the end, or before a
        // stop that the next read made, is not started.
        if (settled || i > end) break;
        results[i] = await mapper(item, i, signal);
      }
    } catch (error) {
      // The manager collects it and stops.
      finish(error, true);
      throw error;
    } finally {
      if (!--workers) {
        if (exhausted) finish();
        else if (open) close();
      }
    }
  };
  // Starts workers until the limit or the end of a sync input; an async
  // input's workers start one more each time they get an item.
  const more = (): void => {
    if (spawning) return;
    spawning = true;
    while (workers < limit && !exhausted && !settled) {
      workers++;
      manager.startForegroundGoroutine(worker);
      if (isAsync) break;
    }
    spawning = false;
  };
  more();
  return promise;
}
