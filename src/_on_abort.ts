// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * Calls `listener` once when `signal` aborts: at once if it has aborted
 * already, otherwise from an abort listener that removes itself first.
 * Returns a function that removes that listener (a no-op once it ran, or if
 * none was added), so that nothing stays on a long-lived signal after the
 * caller settles. `listener` must not throw.
 */
export function onAbort(signal: AbortSignal, listener: () => void): () => void {
  const off = (): void => signal.removeEventListener("abort", handle);
  const handle = (): void => {
    off();
    listener();
  };
  if (signal.aborted) listener();
  else signal.addEventListener("abort", handle);
  return off;
}
