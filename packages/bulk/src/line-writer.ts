import { mkdir, open } from "node:fs/promises";
import { dirname } from "node:path";
import { OutputWriteError } from "./errors/output-write-error.js";

type Handle = Awaited<ReturnType<typeof open>>;

async function openForAppend(path: string): Promise<Handle> {
  await mkdir(dirname(path), { recursive: true });
  return open(path, "a");
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Appends lines to one file, each ending in `\n`, in the order `append` was called. Lines that
 * arrive while a write is in progress go out together in the next single `write` call (group
 * commit), so a kill can leave at most one unfinished line at the end, never a gap. The file
 * is `fdatasync`ed at most every `syncIntervalMs`, and on `close`. `append` resolves once its
 * line is in the file (in the OS page cache: it survives the process, killed or not).
 */
export class LineWriter {
  readonly path: string;
  /** Undefined until the first write of a writer made by `lazy`. */
  #handle: Handle | undefined;
  readonly #syncIntervalMs: number;
  #pending: string[] = [];
  #waiters: Waiter[] = [];
  #writing: Promise<void> | undefined;
  #failure: OutputWriteError | undefined;
  #lastSync = performance.now();
  #dirty = false;

  private constructor(path: string, handle: Handle | undefined, syncIntervalMs: number) {
    this.path = path;
    this.#handle = handle;
    this.#syncIntervalMs = syncIntervalMs;
  }

  /** Opens `path` for appending, creating it and its directory if needed. */
  static async open(path: string, syncIntervalMs: number): Promise<LineWriter> {
    try {
      return new LineWriter(path, await openForAppend(path), syncIntervalMs);
    } catch (error) {
      throw new OutputWriteError(path, error);
    }
  }

  /**
   * A writer that opens `path` (creating it and its directory) on its first line, so a file
   * that may stay empty, like the failures file, is only created when something goes in it.
   * Failing to open is then an `OutputWriteError` from that first `append`.
   */
  static lazy(path: string, syncIntervalMs: number): LineWriter {
    return new LineWriter(path, undefined, syncIntervalMs);
  }

  /** Queues `line` (without its `\n`); resolves when it is written, rejects with `OutputWriteError`. */
  append(line: string): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push(`${line}\n`);
      this.#waiters.push({ resolve, reject });
      this.#writing ??= this.#drain();
    });
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const data = Buffer.from(this.#pending.join(""), "utf8");
        const waiters = this.#waiters;
        this.#pending = [];
        this.#waiters = [];
        try {
          // One drain at a time (`#writing`), so the file is opened once.
          this.#handle ??= await openForAppend(this.path);
          const handle = this.#handle;
          let offset = 0;
          while (offset < data.length) {
            offset += (await handle.write(data, offset, data.length - offset)).bytesWritten;
          }
          this.#dirty = true;
          if (performance.now() - this.#lastSync >= this.#syncIntervalMs) await this.#sync();
        } catch (error) {
          this.#failure ??= new OutputWriteError(this.path, error);
          for (const waiter of [...waiters, ...this.#waiters]) waiter.reject(this.#failure);
          this.#pending = [];
          this.#waiters = [];
          return;
        }
        for (const waiter of waiters) waiter.resolve();
      }
    } finally {
      this.#writing = undefined;
    }
  }

  async #sync(): Promise<void> {
    this.#lastSync = performance.now();
    if (!this.#dirty || this.#handle === undefined) return;
    this.#dirty = false;
    await this.#handle.datasync();
  }

  /** Writes what is queued, syncs and closes. Safe to call after a write failure, or before any line. */
  async close(): Promise<void> {
    try {
      while (this.#writing) await this.#writing;
      if (!this.#failure) await this.#sync();
    } catch (error) {
      this.#failure ??= new OutputWriteError(this.path, error);
    } finally {
      await this.#handle?.close().catch(() => {});
    }
    if (this.#failure) throw this.#failure;
  }
}
