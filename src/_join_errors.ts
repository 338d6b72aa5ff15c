// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Go's `errors.Join` for a list of collected errors: `undefined` if there are
 * none, the error itself if there is one, and an `AggregateError` of all of
 * them, in order, otherwise.
 */
export function joinErrors(errors: Error[]): Error | undefined {
  return errors.length < 2
    ? errors[0]
    : new AggregateError(errors, `${errors.length} errors collected`);
}
