// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Whether `value instanceof Class`, without ever throwing: a revoked proxy or
 * a proxy whose `getPrototypeOf` trap throws is not an instance. With `brand`,
 * a property of every real instance that its class reads through a checked
 * getter (an `AbortSignal`'s `aborted`, a manager's `pending`), the value must
 * also answer it: an object made from the prototype
 * (`Object.create(AbortSignal.prototype)`) or a proxy of a manager passes
 * `instanceof`, but its getter throws.
 */
export function isInstance(
  value: unknown,
  Class: abstract new (...args: never[]) => unknown,
  brand?: "aborted" | "pending",
): boolean {
  try {
    return value instanceof Class &&
      (brand === undefined ||
        (value as Record<string, unknown>)[brand] !== undefined);
  } catch {
    return false;
  }
}

/**
 * Whether `value` is an `Error`: an instance of this realm's `Error`, or, where
 * the runtime has `Error.isError`, a real error from another realm (a `vm`
 * context, an iframe).
 */
function isError(value: unknown): boolean {
  return isInstance(value, Error) ||
    !!(Error as { isError?: (value: unknown) => boolean }).isError?.(value);
}

/**
 * Returns `value` if it is an `Error`; otherwise a new `Error` whose `cause` is
 * `value` and whose message describes it (Go: `fmt.Errorf("%v", err)`). Never
 * throws, whatever the value.
 */
export function toError(value: unknown): Error {
  return isError(value)
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
    if (isError(value) && typeof message === "string") return message;
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
