// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

import { invalid } from "./_to_error.ts";

/**
 * The name of a tracked goroutine: `name` (the `name` option) if given, which
 * must be a non-empty string, else `fn.name` if that is a non-empty string,
 * else `"goroutine"`.
 *
 * @throws {TypeError} If `name` is given and is not a non-empty string.
 */
export function goroutineName(
  action: string,
  fn: (...args: never[]) => unknown,
  name: unknown,
): string {
  if (name === undefined) {
    let fnName: unknown;
    try {
      fnName = fn.name;
    } catch {
      // A throwing `name` getter, a revoked proxy: the default name.
    }
    return typeof fnName === "string" && fnName || "goroutine";
  }
  if (typeof name !== "string" || !name) {
    throw invalid(action, "options.name", "a non-empty string", name);
  }
  return name;
}
