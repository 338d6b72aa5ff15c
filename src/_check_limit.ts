// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { invalid } from "./_to_error.ts";

/**
 * Returns `value` if it is a whole number of at least `min`, or `Infinity`;
 * throws a std-style `TypeError` (not a number) or `RangeError` otherwise.
 */
export function checkCount(
  action: string,
  name: string,
  value: unknown,
  min = 1,
): number {
  if (
    typeof value !== "number" ||
    !(value >= min && (value % 1 === 0 || value === Infinity))
  ) {
    throw invalid(
      action,
      name,
      `${min ? "a positive" : "a non-negative"} integer or Infinity`,
      value,
      typeof value === "number" ? RangeError : TypeError,
    );
  }
  return value;
}
