// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

const objectToString = Object.prototype.toString;

/** Whether `value` is an `Error`, also one from another realm. */
export function isError(value: unknown): value is Error {
  return value instanceof Error ||
    (typeof value === "object" && value !== null &&
      objectToString.call(value) === "[object Error]");
}

/**
 * Returns `value` if it is an `Error`; otherwise a new `Error` whose `cause` is
 * `value` and whose message describes it (Go: `fmt.Errorf("%v", err)`).
 */
export function toError(value: unknown): Error {
  if (isError(value)) return value;
  return new Error(
    `Goroutine panicked with a non-Error value: ${describe(value)}`,
    { cause: value },
  );
}

/** A short, never-throwing description of any value, for error messages. */
export function describe(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return `function ${value.name || "(anonymous)"}`;
    case "object":
      if (value === null) return "null";
      try {
        const text = String(value);
        if (text !== "[object Object]") return text;
      } catch {
        // A throwing or missing toString: fall back to the tag below.
      }
      return objectToString.call(value);
    default:
      return String(value);
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
  Class: typeof TypeError | typeof RangeError,
): Error {
  return new Class(
    `Cannot ${action} as '${name}' must be ${expected}: current value is ${
      describe(value)
    }`,
  );
}
