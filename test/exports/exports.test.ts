import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// Every name each entry exports, values and types alike: growing an entry is a decision made in
// this file's snapshot, never an accident of an import a sibling package needed.
const entries = {
  "@sluice/core": "packages/core/src/index.ts",
  "@sluice/core/adapter": "packages/core/src/adapter.ts",
  "@sluice/node": "packages/node/src/index.ts",
  "@sluice/fetch": "packages/fetch/src/index.ts",
  "@sluice/bulk": "packages/bulk/src/index.ts",
  "@sluice/upstash": "packages/upstash/src/index.ts",
};

const root = fileURLToPath(new URL("../..", import.meta.url));
const config = ts.getParsedCommandLineOfConfigFile(
  `${root}tsconfig.json`,
  {},
  {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  },
);
if (config === undefined) throw new Error("tsconfig.json could not be read");
const files = Object.values(entries).map((path) => `${root}${path}`);
const program = ts.createProgram(files, config.options);
const checker = program.getTypeChecker();

function exportedNames(path: string): string[] {
  const source = program.getSourceFile(`${root}${path}`);
  const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
  if (symbol === undefined) throw new Error(`${path} is not a module`);
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.name)
    .sort();
}

describe("the export list of each entry", () => {
  it.each(Object.entries(entries))("%s", (_, path) => {
    expect(exportedNames(path)).toMatchSnapshot();
  });

  it("keeps the core's user entry small (at most 30 names)", () => {
    expect(exportedNames(entries["@sluice/core"]).length).toBeLessThanOrEqual(30);
  });
});
