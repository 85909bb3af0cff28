import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** A file a page loads, read once at start. */
export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const require = createRequire(import.meta.url);

/**
 * The folder holding `index.html` and `dashboard.js`: beside this file in a checkout, under
 * `dist/dashboard` in a built package (the tsup build copies it there; the package ships only dist/).
 */
function pageDir(): string {
  const root = dirname(require.resolve("@sluice/node/package.json"));
  const found = [join(root, "src/cli/dashboard/page"), join(root, "dist/dashboard")].find((dir) =>
    existsSync(join(dir, "index.html")),
  );
  if (found === undefined) {
    throw new Error(`The dashboard's page is missing from ${root}; reinstall @sluice/node (or run \`pnpm build\`)`);
  }
  return found;
}

/**
 * Every file the page loads, by URL path: the page and its script from this package, and uPlot
 * (its browser build and stylesheet) from the `uplot` dependency, so nothing needs a build step.
 */
export async function loadAssets(): Promise<ReadonlyMap<string, Asset>> {
  const page = pageDir();
  const files: ReadonlyArray<readonly [string, string, string]> = [
    ["/", join(page, "index.html"), "text/html; charset=utf-8"],
    ["/dashboard.js", join(page, "dashboard.js"), "text/javascript; charset=utf-8"],
    ["/uplot.js", require.resolve("uplot/dist/uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
    ["/uplot.css", require.resolve("uplot/dist/uPlot.min.css"), "text/css; charset=utf-8"],
  ];
  const loaded = await Promise.all(
    files.map(async ([path, file, type]) => [path, { type, body: await readFile(file) }] as const),
  );
  return new Map(loaded);
}
