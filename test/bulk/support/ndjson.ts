import { readFile } from "node:fs/promises";

export interface OutputLine {
  readonly key: string;
  readonly page?: number;
  readonly cursor?: string | null;
  readonly done?: boolean;
  readonly pages?: number;
  readonly result?: unknown;
}

/** The complete lines of an NDJSON file (a last line without `\n` is left out), parsed. */
export async function readLines<T = OutputLine>(path: string): Promise<T[]> {
  const text = await readFile(path, "utf8").catch(() => "");
  const end = text.lastIndexOf("\n");
  return end === -1
    ? []
    : text
        .slice(0, end)
        .split("\n")
        .map((line) => JSON.parse(line) as T);
}

/**
 * The `page_id` each written page line was fetched with: `""` for page 0, else the cursor of
 * the page before. As `userId|pageId`, to compare with the mock's request log.
 */
export function writtenRequests(lines: readonly OutputLine[]): Set<string> {
  const cursors = new Map<string, string | null | undefined>();
  for (const line of lines) if (line.page !== undefined) cursors.set(`${line.key}#${line.page}`, line.cursor);
  const written = new Set<string>();
  for (const line of lines) {
    if (line.page === undefined) continue;
    const pageId = line.page === 0 ? "" : cursors.get(`${line.key}#${line.page - 1}`);
    if (typeof pageId !== "string") throw new Error(`page ${line.page} of ${line.key} has no page before it`);
    written.add(`${line.key}|${pageId}`);
  }
  return written;
}
