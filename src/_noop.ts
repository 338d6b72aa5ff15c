// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/** Does nothing: one shared callback for ignored settlements and no-op handlers. */
export function noop(): void {}
