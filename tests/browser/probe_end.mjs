// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Evaluated just after the library (see probe_start.mjs): restores the
// originals, last spied first, and records what the library did at import
// time.

import { calls, globalsBefore, originals } from "./probe_start.mjs";

for (const [owner, key, original, wasOwn] of originals.toReversed()) {
  // Most globals live on a prototype of the global scope: remove the own spy.
  if (wasOwn) owner[key] = original;
  else delete owner[key];
  if (owner[key] !== original) {
    throw new Error(`probe_end: could not restore ${key}`);
  }
}

/** What the library did at import time: calls made and globals added. */
export const importTime = {
  calls: calls.slice(),
  newGlobals: Reflect.ownKeys(globalThis)
    .filter((key) => !globalsBefore.has(key))
    .map(String),
};
