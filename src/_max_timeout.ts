// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// This module is browser compatible.

/**
 * The longest delay `setTimeout` supports everywhere (2^31 - 1 ms, 24.8 days):
 * longer timeouts are capped to it.
 */
export const MAX_TIMEOUT = 2_147_483_647;
