// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// deno-lint-ignore-file no-console

/**
 * Builds the npm package into `npm/` from the same `.ts` sources that Deno and
 * JSR use, doing dnt's job with the `typescript` package alone (dnt and `@std/*`
 * are not on npm):
 *
 * 1. `tsc -p tsconfig.build.json` emits ES2022 ESM, `.d.ts` and maps into `npm/esm/`.
 * 2. The `.d.ts` files get `.js` specifiers, and the disposable symbols are
 *    declared for consumers whose `lib` lacks `esnext.disposable`.
 * 3. `npm/package.json` is written (the version comes from `deno.json`), the
 *    user README ({@linkcode userReadme}: install, import, usage, links; not
 *    the workspace README, which is about developing the library) is
 *    written, and the LICENSE and the sources the maps point to are copied.
 * 4. The package is packed and installed into `.tmp/built/` with a copy of
 *    `tests/`, so the suite imports it by its package name. Every `ts` block of
 *    the user README runs there as a program (Node 24), and
 *    `require("goroutine-manager")` is checked on Node 22 and Node 24, so what
 *    the README says stays true.
 * 5. Unless `--no-test` is given, the suite runs against it under Node 22,
 *    Node 24 and Bun (dnt's `test: true`).
 *
 * Usage: `deno run -A build_npm.ts [--no-test]` (`deno task build:npm`), or
 * `node_modules/node24/bin/node build_npm.ts [--no-test]` (`npm run build`).
 *
 * @module
 */

import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = dirname(fileURLToPath(import.meta.url));
const outDir = join(root, "npm");
const esmDir = join(outDir, "esm");
/** Where the packed package is installed and tested (see scripts/package_runs.mjs). */
const builtDir = join(root, ".tmp", "built");
const node24 = join(root, "node_modules", "node24", "bin", "node");

/**
 * Declares the disposable symbols for consumers whose `lib` lacks
 * `esnext.disposable` (TS < 5.2, or a floor such as `["es2022", "dom"]`):
 * without it, `[Symbol.asyncDispose](): Promise<void>` in our `.d.ts` fails
 * with TS2339/TS1165 (TS 5.0-5.4) or TS2550 (TS 5.9, 7). The declaration is the
 * one `@types/node` ships (`compatibility/disposable.d.ts`); it merges with the
 * lib's own (measured: TS 5.4, 5.9 and 7 with `lib: ["esnext"]`, with and
 * without `@types/node`). `/// <reference lib="esnext.disposable" />` would
 * instead declare `DisposableStack` and `SuppressedError`, which Node 22 lacks,
 * and fails on TS 5.0/5.1. Every runtime in `engines` has both symbols.
 */
const DISPOSE_DTS =
  `// Copyright 2026 the goroutine-manager authors. Apache-2.0 license.
// Declares the disposable symbols for consumers whose TypeScript \`lib\` lacks
// "esnext.disposable"; merges with the lib's own declaration where it has it.
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
    readonly asyncDispose: unique symbol;
  }
}
export {};
`;
const DISPOSE_DTS_NAME = "_symbol_dispose.d.ts";

const DESCRIPTION =
  "Start concurrent async tasks, stop them all on the first failure or on shutdown, " +
  "wait for them, and lose no error: a web-standard port of Go's loopholelabs/goroutine-manager";
const KEYWORDS = [
  "goroutine",
  "concurrency",
  "errgroup",
  "structured-concurrency",
  "abortsignal",
  "abortcontroller",
  "cancellation",
  "graceful-shutdown",
  "async",
  "deno",
  "bun",
  "cloudflare-workers",
];

/** Builds `npm/`, stages it in `.tmp/built/`, and optionally tests it. */
function buildNpm({ test }: { test: boolean }): void {
  const version = readVersion();
  rmSync(outDir, { recursive: true, force: true });

  console.log(`build_npm: tsc -p tsconfig.build.json (version ${version})`);
  run(nodeBinary(), [
    join(root, "node_modules", "typescript", "bin", "tsc"),
    "-p",
    join(root, "tsconfig.build.json"),
  ]);

  const files = walk(esmDir);
  checkNodeFloor(files.filter((file) => file.endsWith(".js")));
  fixDeclarations(files.filter((file) => file.endsWith(".d.ts")));
  copySources(files.filter((file) => file.endsWith(".map")));

  const manifest = packageJson(version);
  writeJson(join(outDir, "package.json"), manifest);
  writeFileSync(join(outDir, "README.md"), userReadme(manifest));
  copyFileSync(join(root, "LICENSE"), join(outDir, "LICENSE"));

  stage(version);
  checkReadme();
  console.log(
    `build_npm: built npm/ and installed it into ${relative(root, builtDir)}/`,
  );

  if (test) {
    const status = run(nodeBinary(), [
      join(root, "scripts", "run_tests.mjs"),
      "node22 (built)",
      "node24 (built)",
      "bun (built)",
    ], { env: { ...process.env, GM_NPM_FRESH: "1" }, check: false });
    if (status !== 0) throw new Error("The built package failed its tests");
  }
}

/** The version in deno.json: the one source of truth for JSR and npm. */
function readVersion(): string {
  const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  const version: unknown = denoJson.version;
  if (
    typeof version !== "string" || !/^\d+\.\d+\.\d+(-[\w.-]+)?$/.test(version)
  ) {
    throw new Error(
      `Cannot build the npm package as deno.json must have a semver 'version': current value is ${
        JSON.stringify(version)
      }`,
    );
  }
  return version;
}

/** The JSR name of the package, from deno.json. */
function jsrName(): string {
  return JSON.parse(readFileSync(join(root, "deno.json"), "utf8")).name;
}

/**
 * The web address of the repository's README, from `repository` in
 * package.json (`git+https://github.com/o/r.git` becomes
 * `https://github.com/o/r#readme`), or `undefined` if it has none.
 */
function repositoryReadme(
  manifest: Record<string, unknown>,
): string | undefined {
  const repository = manifest.repository as
    | string
    | { url?: string }
    | undefined;
  const url = typeof repository === "string" ? repository : repository?.url;
  const https = url?.replace(/^git\+/, "").replace(/\.git$/, "");
  return https?.startsWith("https://") ? `${https}#readme` : undefined;
}

/**
 * The README shipped in the npm package: for someone who installs it, not
 * for someone who develops it (the workspace README starts with
 * `npm install && npm start`). Every `ts` block is a complete program that
 * {@linkcode checkReadme} runs against the built package.
 */
function userReadme(manifest: Record<string, unknown>): string {
  const jsr = `https://jsr.io/${jsrName()}`;
  const readme = repositoryReadme(manifest);
  return `# goroutine-manager

${DESCRIPTION}. No dependencies; it runs on Node ≥ 22, Deno, Bun, Cloudflare Workers
and browsers.

## Install

\`\`\`sh
npm install goroutine-manager     # Node (or pnpm add / yarn add)
bun add goroutine-manager         # Bun
deno add npm:goroutine-manager    # Deno (or the same code from JSR: deno add jsr:${jsrName()})
\`\`\`

## Import

\`\`\`ts
import { GoroutineManager } from "goroutine-manager";

console.log(typeof GoroutineManager); // "function"
\`\`\`

The package is ESM with TypeScript types. From CommonJS, \`require("goroutine-manager")\` works on
Node ≥ 22.12 (\`require(esm)\`, no flag needed) and on Bun; on Node 22.0 to 22.11 use
\`await import("goroutine-manager")\`. A CommonJS TypeScript file (\`.cts\`) can write
\`import gm = require("goroutine-manager")\` with \`"module": "nodenext"\`. It needs
\`Promise.withResolvers\`: Node 22, Deno, Bun, Chrome 119, Firefox 121, Safari 17.4 or newer.

## Usage

Start tasks, let the first failure stop the others, wait for all of them, and read every error:

\`\`\`ts
import { GoroutineManager } from "goroutine-manager";

/** Resolves after \`ms\`, or rejects with the signal's reason when it aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

const manager = new GoroutineManager();
manager.startForegroundGoroutine(async (signal) => {
  await sleep(60_000, signal); // a long job: the failure below stops it at once
});
manager.startForegroundGoroutine(async (signal) => {
  await sleep(10, signal);
  throw new Error("upload failed");
});
await manager.wait(); // both tasks have finished
console.log(manager.errors.map((error) => error.message)); // [ "upload failed" ]
\`\`\`

The stop is not an error: a task that ends with its signal's reason after a stop is not collected.
Stop everything yourself with \`manager.stopAllGoroutines()\`, or let \`await using\` stop, wait and
throw the collected error at the end of a block (Node 24, Deno, Bun; Node 22 cannot parse \`await using\`):

\`\`\`ts
import { GoroutineManager } from "goroutine-manager";

let finished = false;
{
  await using manager = new GoroutineManager();
  manager.startForegroundGoroutine(async (signal) => {
    await new Promise((resolve) => signal.addEventListener("abort", resolve));
    finished = true; // leaving the block stopped it
  });
}
console.log(finished); // true
\`\`\`

The package also exports \`GoroutineLimiter\` and \`mapGoroutines\` (a concurrency limit, backpressure,
typed results, per-task cancellation and timeouts), \`waitFor\` (a wait with a deadline that names the tasks
still running), \`dependentSignal\` and \`ShutdownCascade\` (ordered shutdowns), \`handleProcessSignals\`
(Ctrl-C and SIGTERM), \`PanicCollector\` and the error classes.

## Documentation

- ${
    readme
      ? `[The full README](${readme}): every option, graceful exits, cascades, process signals, servers, Cloudflare Workers, the Go-to-TypeScript table, performance.`
      : `[The full README](${jsr}): every option, graceful exits, cascades, process signals, servers, Cloudflare Workers, the Go-to-TypeScript table, performance.`
  }
- [The API reference](${jsr}/doc), generated from the JSDoc of every export (each function and class with a tested example).

## License

Apache-2.0, like the Go original.
`;
}

/**
 * Runs every `ts` block of the shipped README as a program with Node 24 in
 * `.tmp/built/` (against the installed package), and checks that
 * `require("goroutine-manager")` works on Node 22 and Node 24, as the README
 * says. Throws on the first failure.
 */
function checkReadme(): void {
  const text = readFileSync(join(outDir, "README.md"), "utf8");
  const blocks = [...text.matchAll(/^```ts\n([\s\S]*?)^```$/gm)];
  if (blocks.length === 0) throw new Error("npm/README.md has no ts block");
  blocks.forEach(([, code], index) => {
    const file = join(builtDir, `readme_${index}.ts`);
    writeFileSync(file, code!);
    const result = spawnSync(node24, [file], {
      cwd: builtDir,
      encoding: "utf8",
      timeout: 30_000,
    });
    if (result.status !== 0) {
      throw new Error(
        `npm/README.md's ts block ${index} failed (${result.status}):\n${result.stderr}`,
      );
    }
  });
  for (const node of ["node22", "node24"]) {
    const result = spawnSync(
      join(root, "node_modules", node, "bin", "node"),
      [
        "--eval",
        'const m = require("goroutine-manager"); if (typeof m.GoroutineManager !== "function") process.exit(1);',
      ],
      { cwd: builtDir, encoding: "utf8", timeout: 30_000 },
    );
    if (result.status !== 0) {
      throw new Error(
        `require("goroutine-manager") failed on ${node}:\n${result.stderr}`,
      );
    }
  }
  console.log(
    `build_npm: npm/README.md's ${blocks.length} ts blocks run, require() works on Node 22 and 24`,
  );
}

function packageJson(version: string): Record<string, unknown> {
  const workspace = JSON.parse(
    readFileSync(join(root, "package.json"), "utf8"),
  );
  const manifest: Record<string, unknown> = {
    name: "goroutine-manager",
    version,
    description: DESCRIPTION,
    keywords: KEYWORDS,
    license: "Apache-2.0",
    type: "module",
    exports: {
      ".": { types: "./esm/mod.d.ts", default: "./esm/mod.js" },
      "./package.json": "./package.json",
    },
    files: ["esm/", "src/", "mod.ts"],
    sideEffects: false,
    engines: { node: ">=22" },
  };
  for (const key of ["repository", "homepage", "bugs", "author"]) {
    if (workspace[key] !== undefined) manifest[key] = workspace[key];
  }
  if (manifest.repository === undefined) {
    console.warn(
      "build_npm: warning: package.json has no 'repository'; set it with " +
        "`npm pkg set repository.type=git repository.url=git+https://github.com/OWNER/REPO.git`",
    );
  }
  return manifest;
}

/**
 * Fails if the emitted JavaScript uses what Node 22 (the `engines` floor)
 * lacks but the build's `lib` still types (`esnext.disposable` brings
 * `DisposableStack`). Newer built-ins such as `Promise.try` are already type
 * errors, because tsconfig.build.json's `lib` stops at ES2024.
 */
function checkNodeFloor(jsFiles: string[]): void {
  for (const file of jsFiles) {
    const text = readFileSync(file, "utf8");
    const found = text.match(/\b(?:Async)?DisposableStack\b/);
    if (found) {
      throw new Error(
        `Cannot ship ${relative(root, file)} as it uses ${
          found[0]
        }, which Node 22 lacks`,
      );
    }
  }
}

/**
 * Rewrites relative `.ts` specifiers to `.js` in the `.d.ts` files (tsc keeps
 * them, microsoft/TypeScript#61037; same length, so the maps stay right), and
 * makes every `.d.ts` that names a disposable symbol reference
 * {@linkcode DISPOSE_DTS}.
 */
function fixDeclarations(dtsFiles: string[]): void {
  let needsDispose = false;
  for (const file of dtsFiles) {
    let text = readFileSync(file, "utf8").replace(
      /(\bfrom\s*|\bimport\s*\(\s*)(["'])(\.\.?\/[^"']*)\.ts\2/g,
      "$1$2$3.js$2",
    );
    if (/\[Symbol\.(?:async)?[dD]ispose\]/.test(text)) {
      needsDispose = true;
      const target = relative(dirname(file), join(esmDir, DISPOSE_DTS_NAME));
      const path = target.startsWith(".") ? target : `./${target}`;
      text = `/// <reference path="${path}" />\n${text}`;
      // One more line at the top: shift the declaration map by one line.
      const mapFile = `${file}.map`;
      const map = JSON.parse(readFileSync(mapFile, "utf8"));
      map.mappings = `;${map.mappings}`;
      writeFileSync(mapFile, JSON.stringify(map));
    }
    writeFileSync(file, text);
  }
  if (needsDispose) writeFileSync(join(esmDir, DISPOSE_DTS_NAME), DISPOSE_DTS);
}

/**
 * Copies the `.ts` sources into the package, at the same place relative to
 * `npm/esm/` as they are to `npm/esm/`'s sources, and points the maps at them:
 * `npm/esm/src/x.d.ts.map` names `../../../src/x.ts`, and becomes `../../src/x.ts`
 * (shipped as `npm/src/x.ts`), so "Go to definition" opens real code.
 */
function copySources(mapFiles: string[]): void {
  for (const mapFile of mapFiles) {
    const map = JSON.parse(readFileSync(mapFile, "utf8"));
    map.sources = map.sources.map((source: string) => {
      const original = resolve(dirname(mapFile), map.sourceRoot ?? "", source);
      const shipped = join(outDir, relative(root, original));
      if (
        relative(root, original).startsWith("..") || !shipped.startsWith(outDir)
      ) {
        throw new Error(
          `Cannot ship ${mapFile} as it maps to ${original}, outside the repository`,
        );
      }
      mkdirSync(dirname(shipped), { recursive: true });
      copyFileSync(original, shipped);
      return relative(dirname(mapFile), shipped).replaceAll("\\", "/");
    });
    writeFileSync(mapFile, JSON.stringify(map));
  }
}

/**
 * Packs `npm/` and installs the tarball into `.tmp/built/` next to copies of
 * `tests/`, `examples/` and the consumer fixture `tests/consumer/` (as
 * `consumer/`), so the suite and the consumer type-checks import the package
 * exactly as a user's project does.
 */
function stage(version: string): void {
  rmSync(builtDir, { recursive: true, force: true });
  mkdirSync(builtDir, { recursive: true });
  run("npm", ["pack", "--silent", "--pack-destination", builtDir, outDir]);
  const tarball = `goroutine-manager-${version}.tgz`;
  if (!existsSync(join(builtDir, tarball))) {
    throw new Error(`npm pack made no ${tarball}`);
  }
  writeJson(join(builtDir, "package.json"), {
    name: "goroutine-manager-built-test",
    private: true,
    type: "module",
    dependencies: { "goroutine-manager": `file:./${tarball}` },
  });
  run("npm", [
    "install",
    "--offline",
    "--no-audit",
    "--no-fund",
    "--no-package-lock",
    "--loglevel=error",
  ], { cwd: builtDir });
  const consumer = join(root, "tests", "consumer");
  // Unit tests of internal modules (they import ../src/ directly) test no
  // part of the package: they run from source only.
  const internal = new Set(
    ["limiter_queue.test.ts"].map((name) => join(root, "tests", name)),
  );
  cpSync(join(root, "tests"), join(builtDir, "tests"), {
    recursive: true,
    filter: (source) => source !== consumer && !internal.has(source),
  });
  cpSync(consumer, join(builtDir, "consumer"), { recursive: true });
  // Tests run examples/*.ts as child processes; there, too, the package is the built one.
  cpSync(join(root, "examples"), join(builtDir, "examples"), {
    recursive: true,
  });
  // The suite must reach the installed package, never the sources.
  const resolved = spawnSync(node24, [
    "--input-type=module",
    "--eval",
    'console.log(import.meta.resolve("goroutine-manager"))',
  ], { cwd: builtDir, encoding: "utf8" }).stdout.trim();
  const expected = join(
    builtDir,
    "node_modules",
    "goroutine-manager",
    "esm",
    "mod.js",
  );
  if (resolved !== pathToFileURL(expected).href) {
    throw new Error(
      `"goroutine-manager" resolves to ${resolved} in ${builtDir}, not to ${expected}`,
    );
  }
}

/** The Node to run tools with: this one under Node, the installed Node 24 under Deno. */
function nodeBinary(): string {
  return "Deno" in globalThis ? node24 : process.execPath;
}

interface RunOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Throw on a non-zero exit (the default). */
  check?: boolean;
}

function run(
  command: string,
  args: string[],
  options: RunOptions = {},
): number {
  const { cwd = root, env = process.env, check = true } = options;
  const result = spawnSync(command, args, {
    cwd,
    env,
    stdio: "inherit",
  });
  if (result.error) throw result.error;
  const status = result.status ?? 1;
  if (check && status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${status}`);
  }
  return status;
}

function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + "\n");
}

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== "--no-test");
if (unknown.length) throw new Error(`Unknown arguments: ${unknown.join(" ")}`);
buildNpm({ test: !args.includes("--no-test") });
