// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Whether `value instanceof Class`, without ever throwing: a revoked proxy or
 * a proxy whose `getPrototypeOf` trap throws is not an instance.
 */
export function isInstance(
  value: unknown,
  Class: abstract new (...args: never[]) => unknown,
): boolean {
  try {
    return value instanceof Class;
  } catch {
    return false;
  }
}

/**
 * Returns `value` if it is an `Error`; otherwise a new `Error` whose `cause` is
 * `value` and whose message describes it (Go: `fmt.Errorf("%v", err)`). Never
 * throws, whatever the value.
 */
export function toError(value: unknown): Error {
  return isInstance(value, Error)
    ? value as Error
    : new Error(messageOf(value), { cause: value });
}

/**
 * The message of an error, or "Goroutine panicked with {description}" for any
 * other value (or an error whose `message` is not a string, or throws): never
 * throws.
 */
export function messageOf(value: unknown): string {
  try {
    const { message } = value as Error;
    if (isInstance(value, Error) && typeof message === "string") return message;
  } catch {
    // A throwing getter or a revoked proxy: describe it instead.
  }
  return `Goroutine panicked with ${describe(value)}`;
}

/** A short, never-throwing description of any value, for error messages. */
export function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint") return `${value}n`;
  try {
    return String(value);
  } catch {
    // A throwing toString, an object without a prototype, a revoked proxy.
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
