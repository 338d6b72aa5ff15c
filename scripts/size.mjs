// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console
//
// The size budget: what a consumer's bundle pays for the built package
// (installed in .tmp/built/ by build_npm.ts), bundled, tree-shaken and
// minified by esbuild, then gzipped (level 9). Prints one line per budget,
// then what each runtime export costs alone (`export { X }`) and what it adds
// to a bundle that has GoroutineManager already (`export { GoroutineManager,
// X }` minus GoroutineManager alone), then `size: N passed, N failed`; exits
// non-zero over budget. With `--markdown`, the per-export figures are printed
// as the README's table.
//
// Usage: node scripts/size.mjs [--markdown]   (after build_npm.ts)

import { build } from "esbuild";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const builtDir = join(root, ".tmp", "built");
const entry = join(
  builtDir,
  "node_modules",
  "goroutine-manager",
  "esm",
  "mod.js",
);
const markdown = process.argv.includes("--markdown");

/**
 * What a consumer imports, and what it may cost (KB = 1024 bytes, min+gz):
 * `limit` fails the run; `target` is the budget the project set (1.6 KB and
 * 5 KB), which the shard signals, `waitUntil`, the value guards and argument
 * checks of issues 9 and 10 and the limiter of issue 11 do not fit today. The
 * run reports the target and fails only past the limit, so the size cannot
 * grow unnoticed while the targets are not met. The GoroutineManager limit
 * went from 2 KB to 2.25 KB with the README audit of 2026-12-06 (+73 B: brand
 * checks for signal and manager arguments, `Error.isError` for errors of other
 * realms, bigints shown with their `n`): correctness first, and never a
 * dropped check to fit a budget. Emptying every string literal of the bundle
 * still left 1,781 B (at 2,031 B, before those fixes), so the 1.6 KB target
 * cannot be met by wording either.
 */
const BUDGETS = [
  {
    label: "GoroutineManager only",
    code: 'export { GoroutineManager } from "goroutine-manager";',
    target: 1.6 * 1024,
    limit: 2.25 * 1024,
  },
  {
    label: "whole entry",
    code: 'export * from "goroutine-manager";',
    target: 5 * 1024,
    limit: 6 * 1024,
  },
];

if (!existsSync(entry)) {
  throw new Error(
    "Cannot measure the size as .tmp/built/ has no package: run `npm run build` first",
  );
}

/** Bytes of `code` bundled against the built package: minified, and min+gz. */
async function measure(code) {
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
  return { min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
}

let passed = 0;
let failed = 0;
for (const { label, code, target, limit } of BUDGETS) {
  const { min, gz } = await measure(code);
  const ok = gz <= limit;
  if (ok) passed++;
  else failed++;
  console.log(
    `size ${label}: ${min} B min, ${gz} B min+gz ` +
      `(${(gz / 1024).toFixed(2)} KB; limit ${limit / 1024} KB) ${
        ok ? "ok" : "OVER THE LIMIT"
      }; target ${target / 1024} KB ${
        gz <= target ? "met" : `NOT MET (+${Math.ceil(gz - target)} B)`
      }`,
  );
}

// Every runtime export (types cost nothing), read from the built package.
const names = Object.keys(await import(pathToFileURL(entry).href)).sort();
const from = 'from "goroutine-manager";';
const base = (await measure(`export { GoroutineManager } ${from}`)).gz;
const rows = [];
for (const name of names) {
  const alone = (await measure(`export { ${name} } ${from}`)).gz;
  const withManager = name === "GoroutineManager"
    ? base
    : (await measure(`export { GoroutineManager, ${name} } ${from}`)).gz;
  rows.push({ name, alone, added: withManager - base });
}
if (markdown) {
  // Padded as `deno fmt` pads a table, so the README stays fmt-clean.
  const table = [
    ["export", "alone (min+gz)", "added to GoroutineManager"],
    ...rows.map(({ name, alone, added }) => [
      `\`${name}\``,
      `${alone} B`,
      name === "GoroutineManager" ? "(the base)" : `+${added} B`,
    ]),
  ];
  const widths = table[0].map((_, column) =>
    Math.max(...table.map((row) => row[column].length))
  );
  const line = (cells) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  console.log();
  console.log(line(table[0]));
  console.log(line(widths.map((width) => "-".repeat(width))));
  for (const row of table.slice(1)) console.log(line(row));
  console.log();
} else {
  for (const { name, alone, added } of rows) {
    console.log(
      `size of ${name}: ${alone} B min+gz alone, ${
        name === "GoroutineManager"
          ? "the base"
          : `+${added} B over GoroutineManager`
      }`,
    );
  }
}
// With --markdown, stdout is the table alone (pasted into the README as it is).
(markdown ? console.error : console.log)(
  `size: ${passed} passed, ${failed} failed`,
);
process.exitCode = failed ? 1 : 0;
