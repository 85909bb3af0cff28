import type { Json } from "./json.js";
import { scanNdjson } from "./scan-ndjson.js";

/** Where a paginated item left off: the next page's index and the cursor that fetches it. */
export interface ResumePoint {
  readonly page: number;
  readonly cursor: Json;
}

/** What earlier runs finished, read back from their output and failures files. */
export interface Checkpoint {
  /** Keys whose terminal line is in the output: never run again. */
  readonly finished: Set<string>;
  /** Keys with page lines but no terminal line yet: resumed from their last cursor. */
  readonly partial: Map<string, ResumePoint>;
  /** Keys recorded in the failures file and not finished since. */
  readonly failed: Set<string>;
  /** Complete lines kept in the output file. */
  readonly outputLines: number;
  /** Bytes of unfinished lines cut from the ends of both files. */
  readonly truncatedBytes: number;
}

/**
 * Reads the output file (which is the checkpoint) and the failures file, repairing both ends.
 * A line with `done: true` finishes its key; a line with a `page` moves its key's resume point
 * to the page after it. Memory: one entry per finished or failed key (see `runBulk`).
 */
export async function readCheckpoint(output: string, failures: string): Promise<Checkpoint> {
  const finished = new Set<string>();
  const partial = new Map<string, ResumePoint>();
  const failed = new Set<string>();
  const out = await scanNdjson(output, (line) => {
    if (line.done === true) {
      finished.add(line.key);
      partial.delete(line.key);
    } else if (typeof line.page === "number") {
      partial.set(line.key, { page: line.page + 1, cursor: (line.cursor ?? null) as Json });
    }
  });
  const fail = await scanNdjson(failures, (line) => {
    failed.add(line.key);
  });
  for (const key of failed) if (finished.has(key)) failed.delete(key);
  return {
    finished,
    partial,
    failed,
    outputLines: out.lines,
    truncatedBytes: out.truncatedBytes + fail.truncatedBytes,
  };
}
