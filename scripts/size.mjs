// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// The size budget: what a consumer's bundle pays for the built package
// (installed in .tmp/built/ by build_npm.ts), bundled, tree-shaken and
// minified by esbuild, then gzipped (level 9). Prints one line per figure and
// `size: N passed, N failed`; exits non-zero over budget.
//
// Usage: node scripts/size.mjs   (after build_npm.ts)

import { build } from "esbuild";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const builtDir = join(root, ".tmp", "built");

/** What a consumer imports, and what it may cost (KB = 1024 bytes, min+gz). */
const BUDGETS = [
  {
    label: "GoroutineManager only",
    code: 'export { GoroutineManager } from "goroutine-manager";',
    limit: 1.5 * 1024,
  },
  {
    label: "whole entry",
    code: 'export * from "goroutine-manager";',
    limit: 3 * 1024,
  },
];

if (!existsSync(join(builtDir, "node_modules", "goroutine-manager"))) {
  throw new Error(
    "Cannot measure the size as .tmp/built/ has no package: run `npm run build` first",
  );
}

let passed = 0;
let failed = 0;
for (const { label, code, limit } of BUDGETS) {
  const result = await build({
    stdin: { contents: code, resolveDir: builtDir, loader: "js" },
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  const bytes = result.outputFiles[0].contents;
  const gzipped = gzipSync(bytes, { level: 9 }).length;
  const ok = gzipped <= limit;
  if (ok) passed++;
  else failed++;
  console.log(
    `size ${label}: ${bytes.length} B min, ${gzipped} B min+gz ` +
      `(${(gzipped / 1024).toFixed(2)} KB; budget ${limit / 1024} KB) ${
        ok ? "ok" : "OVER BUDGET"
      }`,
  );
}
console.log(`size: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
