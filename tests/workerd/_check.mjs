// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file explicit-module-boundary-types
//
// Helpers of the Workers checks (worker.mjs) and of the Chromium checks
// (tests/browser/checks.mjs, lifecycle.mjs, worker.mjs, which load this file
// from /workerd/): assertions that describe any value without throwing, and small timing tools
// that clear their own timers.

/** A failed expectation of a check (its message is the whole report). */
export class CheckError extends Error {}

/** A readable one-line description of any value; never throws. */
export function describe(value) {
  try {
    if (value instanceof Error) {
      const cause = value.cause === undefined
        ? ""
        : ` (cause: ${describe(value.cause)})`;
      return `${value.constructor.name} name=${value.name} message=${
        JSON.stringify(value.message)
      }${cause}`;
    }
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return "(undescribable)";
  }
}

export function assert(condition, message) {
  if (!condition) throw new CheckError(message);
}

export function equal(actual, expected, what) {
  if (!Object.is(actual, expected)) {
    throw new CheckError(
      `${what}: expected ${describe(expected)}, got ${describe(actual)}`,
    );
  }
}

/** The messages of a manager's collected errors, as JSON. */
export function messages(manager) {
  return JSON.stringify(manager.errors.map((error) => error.message));
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves when `signal` aborts (through a one-shot abort listener). */
export const aborted = (signal) =>
  new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", resolve, { once: true });
  });

/** A setTimeout sleep that rejects with the signal's reason, like `fetch`. */
export function sleepUntil(ms, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Fails the check if `promise` has not settled after `ms` (a hang). */
export async function within(ms, promise, what) {
  let timer;
  try {
    return await Promise.race([
      promise,
      new Promise((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new CheckError(`${what} did not settle within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs `[name, fn]` checks in order:
 * `{ name, ok, ms, skipped?, detail?, message? }` each.
 */
export async function runAll(checks, ...args) {
  const results = [];
  for (const [name, fn] of checks) {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    try {
      const detail = await within(
        10_000,
        Promise.resolve().then(() => fn(...args)),
        name,
      );
      if (detail instanceof Skip) {
        results.push({
          name,
          ok: true,
          ms: ms(),
          skipped: true,
          detail: detail.reason,
        });
      } else {
        results.push({
          name,
          ok: true,
          ms: ms(),
          ...(detail ? { detail } : {}),
        });
      }
    } catch (error) {
      results.push({
        name,
        ok: false,
        ms: ms(),
        message: error instanceof CheckError ? error.message : describe(error),
      });
    }
  }
  return results;
}

/** What a check returns when this browser cannot run it (counted as skipped). */
export class Skip {
  constructor(reason) {
    this.reason = reason;
  }
}
