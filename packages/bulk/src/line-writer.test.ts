import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isOutputWriteError } from "./errors/output-write-error.js";
import { LineWriter } from "./line-writer.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "sluice-line-writer-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

describe("LineWriter", () => {
  it("opens at once: the file exists before any line", async () => {
    const path = join(dir, "out.ndjson");
    const writer = await LineWriter.open(path, 1000);
    expect(await exists(path)).toBe(true);
    await writer.append('{"key":"a"}');
    await writer.close();
    expect(await readFile(path, "utf8")).toBe('{"key":"a"}\n');
  });

  it("lazy: creates neither file nor directory until the first line, and closes without one", async () => {
    const path = join(dir, "sub", "out.failures.ndjson");
    const unused = LineWriter.lazy(path, 1000);
    await unused.close();
    expect(await exists(join(dir, "sub"))).toBe(false);

    const used = LineWriter.lazy(path, 1000);
    await Promise.all([used.append('{"key":"a"}'), used.append('{"key":"b"}')]);
    await used.append('{"key":"c"}');
    await used.close();
    expect(await readFile(path, "utf8")).toBe('{"key":"a"}\n{"key":"b"}\n{"key":"c"}\n');
  });

  it("lazy: a file that cannot be opened fails the first append and the close with OutputWriteError", async () => {
    await writeFile(join(dir, "file"), "");
    const writer = LineWriter.lazy(join(dir, "file", "out.failures.ndjson"), 1000);
    await expect(writer.append('{"key":"a"}')).rejects.toSatisfy(isOutputWriteError);
    await expect(writer.append('{"key":"b"}')).rejects.toSatisfy(isOutputWriteError);
    await expect(writer.close()).rejects.toSatisfy(isOutputWriteError);
  });
});
