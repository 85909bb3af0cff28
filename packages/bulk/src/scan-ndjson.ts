import { open } from "node:fs/promises";
import { CorruptOutputError } from "./errors/corrupt-output-error.js";

/** A parsed line: every line this package writes is an object with a string `key`. */
export type KeyedLine = { readonly key: string } & Readonly<Record<string, unknown>>;

export interface ScanResult {
  /** Complete lines read and kept. */
  readonly lines: number;
  /** Bytes cut from the end: a line a killed process had not finished writing. */
  readonly truncatedBytes: number;
}

const NEWLINE = 0x0a;
const CHUNK = 1 << 20;

function parse(text: string): KeyedLine | undefined {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
    return typeof (value as { key?: unknown }).key === "string" ? (value as KeyedLine) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Streams the NDJSON file at `path` line by line (memory: one chunk plus one line) and repairs
 * its end so that appending is safe again: a last line without its `\n` (a write cut by a kill)
 * is cut off, and so is a last complete line that does not parse (zeros left by a power loss).
 * A bad line followed by good ones is not a crash artefact: `CorruptOutputError`.
 * A missing file is an empty one.
 */
export async function scanNdjson(path: string, onLine: (line: KeyedLine) => void): Promise<ScanResult> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, "r+");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { lines: 0, truncatedBytes: 0 };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(CHUNK);
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    let lineNumber = 0;
    let kept = 0;
    let keptEnd = 0;
    let badStart: number | undefined;
    let badLine = 0;
    while (position < size) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - position), position);
      if (bytesRead === 0) break;
      const chunk =
        carry.length === 0 ? buffer.subarray(0, bytesRead) : Buffer.concat([carry, buffer.subarray(0, bytesRead)]);
      const chunkStart = position - carry.length;
      position += bytesRead;
      let lineStart = 0;
      for (let nl = chunk.indexOf(NEWLINE); nl !== -1; nl = chunk.indexOf(NEWLINE, lineStart)) {
        lineNumber++;
        const line = parse(chunk.toString("utf8", lineStart, nl));
        if (line === undefined) {
          if (badStart === undefined) {
            badStart = chunkStart + lineStart;
            badLine = lineNumber;
          }
        } else {
          if (badStart !== undefined) throw new CorruptOutputError(path, badLine);
          onLine(line);
          kept++;
          keptEnd = chunkStart + nl + 1;
        }
        lineStart = nl + 1;
      }
      // Copy: the next read reuses `buffer`.
      carry = Buffer.from(chunk.subarray(lineStart));
    }
    const end = badStart ?? keptEnd;
    if (end < size) {
      await handle.truncate(end);
      await handle.datasync();
    }
    return { lines: kept, truncatedBytes: size - end };
  } finally {
    await handle.close();
  }
}
