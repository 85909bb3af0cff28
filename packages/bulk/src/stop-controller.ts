import { setMaxListeners } from "node:events";

export interface StopOptions {
  /** The caller's signal: aborting it stops the run. */
  readonly signal: AbortSignal | undefined;
  /** Ms in-flight work may take after a stop before `hard` aborts. */
  readonly drainMs: number;
  /** Stop on SIGINT and SIGTERM too (a second one aborts in-flight work at once). */
  readonly handleSignals: boolean;
  /** Items in flight, for what is said on a signal. */
  readonly inFlight: () => number;
  /** Where the signal messages go. @default process.stderr */
  readonly log?: (text: string) => void;
}

/**
 * How a run stops: by the caller's signal, a process signal, or its first fatal error. A stop
 * aborts `soft` at once (no new item, quota waits end) and `hard` after `drainMs` (in-flight
 * work ends); a second process signal aborts `hard` at once. `dispose` removes every listener.
 */
export class StopController {
  readonly #soft = new AbortController();
  readonly #hard = new AbortController();
  readonly #options: StopOptions;
  readonly #log: (text: string) => void;
  #drainTimer: NodeJS.Timeout | undefined;
  #fatal: { readonly error: unknown } | undefined;

  constructor(options: StopOptions) {
    this.#options = options;
    this.#log = options.log ?? ((text) => process.stderr.write(text));
    // Up to `concurrency` waits listen on `soft` at once, and one item signal each on `hard`.
    setMaxListeners(0, this.#soft.signal, this.#hard.signal);
    if (options.signal?.aborted) this.#onAbort();
    options.signal?.addEventListener("abort", this.#onAbort, { once: true });
    if (options.handleSignals) {
      process.on("SIGINT", this.#onSignal);
      process.on("SIGTERM", this.#onSignal);
    }
  }

  /** Aborted at a stop: no new item starts, quota waits give their slot back, retries stop. */
  get soft(): AbortSignal {
    return this.#soft.signal;
  }

  /** Aborted when in-flight work must end now: `drainMs` after a stop, or a second signal. */
  get hard(): AbortSignal {
    return this.#hard.signal;
  }

  /** The first fatal error, which the run rethrows once its files are closed. */
  get fatal(): { readonly error: unknown } | undefined {
    return this.#fatal;
  }

  /** Stops the run (the first call counts). */
  stop(reason: unknown): void {
    if (this.#soft.signal.aborted) return;
    this.#soft.abort(reason);
    if (this.#options.drainMs === 0) this.#hard.abort(reason);
    else this.#drainTimer = setTimeout(() => this.#hard.abort(reason), this.#options.drainMs);
  }

  /** Stops the run for an error that must end it; the first is kept. */
  fail(error: unknown): void {
    this.#fatal ??= { error };
    this.stop(error);
  }

  dispose(): void {
    clearTimeout(this.#drainTimer);
    this.#options.signal?.removeEventListener("abort", this.#onAbort);
    if (this.#options.handleSignals) {
      process.off("SIGINT", this.#onSignal);
      process.off("SIGTERM", this.#onSignal);
    }
  }

  readonly #onAbort = (): void => this.stop(this.#options.signal?.reason);

  readonly #onSignal = (signal: NodeJS.Signals): void => {
    const active = this.#options.inFlight();
    if (this.#soft.signal.aborted) {
      this.#log(`\n${signal} again: aborting ${active} in-flight item(s).\n`);
      this.#hard.abort(new Error(`Stopped by ${signal}`));
      return;
    }
    this.#log(
      `\n${signal}: finishing ${active} in-flight item(s) (at most ${Math.ceil(this.#options.drainMs / 1000)} s); send it again to abort them.\n`,
    );
    this.stop(new Error(`Stopped by ${signal}`));
  };
}
