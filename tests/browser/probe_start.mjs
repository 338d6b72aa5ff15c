// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
//
// Evaluated just before the library (checks.mjs imports it first): remembers
// the global names and replaces what a module must not call at import time
// with spies. probe_end.mjs, evaluated just after the library, puts the
// originals back and reports what was called in between. (The browser twin of
// tests/workerd/probe_start.mjs: in a page, `addEventListener` and friends
// live on prototypes, so the spies are removed in reverse order.)

/** What the library called while it was being evaluated. */
export const calls = [];
/** The global names that existed before the library was evaluated. */
export const globalsBefore = new Set(Reflect.ownKeys(globalThis));
/** [owner, key, original, wasOwn] entries that probe_end.mjs restores. */
export const originals = [];

function spy(owner, key, label) {
  const original = owner[key];
  if (typeof original !== "function") return;
  originals.push([owner, key, original, Object.hasOwn(owner, key)]);
  const replacement = function (...args) {
    calls.push(label);
    return new.target
      ? Reflect.construct(original, args, new.target)
      : Reflect.apply(original, this, args);
  };
  Object.defineProperty(replacement, "name", { value: original.name });
  replacement.prototype = original.prototype;
  owner[key] = replacement;
}

for (
  const key of [
    "setTimeout",
    "setInterval",
    "requestAnimationFrame",
    "requestIdleCallback",
    "queueMicrotask",
    "fetch",
    "AbortController",
    "Worker",
  ]
) {
  spy(globalThis, key, key);
}
spy(AbortSignal, "timeout", "AbortSignal.timeout");
spy(AbortSignal, "any", "AbortSignal.any");
spy(EventTarget.prototype, "addEventListener", "EventTarget#addEventListener");
spy(crypto, "getRandomValues", "crypto.getRandomValues");
spy(crypto, "randomUUID", "crypto.randomUUID");
spy(navigator, "sendBeacon", "navigator.sendBeacon");
