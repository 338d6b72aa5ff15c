// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Returns `value` if it is an `Error`; otherwise a new `Error` whose `cause` is
 * `value` and whose message describes it (Go: `fmt.Errorf("%v", err)`).
 */
export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(
    `Goroutine panicked with ${describe(value)}`,
    { cause: value },
  );
}

/** A short, never-throwing description of any value, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  try {
    return String(value);
  } catch {
    // A throwing toString, or an object without a prototype.
    return "[object Object]";
  }
}

/**
 * A std-style argument error: "Cannot {action} as '{name}' must be
 * {expected}: current value is {value}".
 */
export function invalid(
  action: string,
  name: string,
  expected: string,
  value: unknown,
  Class: typeof TypeError | typeof RangeError = TypeError,
): Error {
  return new Class(
    `Cannot ${action} as '${name}' must be ${expected}: current value is ${
      describe(value)
    }`,
  );
}
