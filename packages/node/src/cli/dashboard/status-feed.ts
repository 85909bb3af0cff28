import type { StatusReport } from "../status-report.js";
import { type UsageSample, usageSample } from "./usage-sample.js";

/** What every open page is sent after each read. */
export type FeedMessage =
  | { readonly type: "report"; readonly report: StatusReport; readonly sample: UsageSample }
  /** A read failed; `message` (passwords masked) says why and what to check. `at`: epoch ms. */
  | { readonly type: "problem"; readonly message: string; readonly at: number };

/** What a page is sent on opening: the history kept, the newest report and the current problem. */
export interface FeedSnapshot {
  /** Oldest first, spanning at most `historyMs` of Redis time. */
  readonly samples: readonly UsageSample[];
  readonly report: StatusReport | null;
  /** Set while reads fail. */
  readonly problem: string | null;
}

export interface StatusFeedOptions {
  /** Ms from the start of one read to the start of the next; a slower read delays the next. */
  readonly intervalMs: number;
  /** Ms of samples kept for pages that open later. */
  readonly historyMs: number;
}

type Listener = (message: FeedMessage) => void;

/**
 * Reads the status once per interval, however many pages are open, and hands every result to
 * each listener. Reads never overlap. It reads while nobody listens too, so that a page opened
 * later shows the minutes before it.
 */
export class StatusFeed {
  readonly #read: () => Promise<StatusReport>;
  readonly #describe: (error: unknown) => string;
  readonly #options: StatusFeedOptions;
  readonly #listeners = new Set<Listener>();
  #samples: UsageSample[] = [];
  #report: StatusReport | null = null;
  #problem: string | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reading: Promise<void> = Promise.resolve();
  #stopped = false;

  /**
   * @param read one read of every quota, e.g. `StatusSource.read`.
   * @param describe the text a page shows for a failed read; it must hold no password.
   */
  constructor(read: () => Promise<StatusReport>, describe: (error: unknown) => string, options: StatusFeedOptions) {
    this.#read = read;
    this.#describe = describe;
    this.#options = options;
  }

  /** Reads now, then once per interval until `stop`. */
  start(): void {
    this.#schedule(0);
  }

  snapshot(): FeedSnapshot {
    return { samples: [...this.#samples], report: this.#report, problem: this.#problem };
  }

  /** Calls `listener` after every read from now on; returns the call that stops it. */
  subscribe(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** No read starts after this; resolves once a read in flight has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    await this.#reading;
  }

  #schedule(delayMs: number): void {
    this.#timer = setTimeout(() => {
      this.#reading = this.#readOnce();
    }, delayMs);
  }

  async #readOnce(): Promise<void> {
    const started = performance.now();
    let message: FeedMessage;
    try {
      const report = await this.#read();
      const sample = usageSample(report);
      this.#keep(sample);
      this.#report = report;
      this.#problem = null;
      message = { type: "report", report, sample };
    } catch (error) {
      this.#problem = this.#describe(error);
      message = { type: "problem", message: this.#problem, at: Date.now() };
    }
    if (this.#stopped) return;
    for (const listener of this.#listeners) listener(message);
    this.#schedule(Math.max(0, this.#options.intervalMs - (performance.now() - started)));
  }

  #keep(sample: UsageSample): void {
    this.#samples.push(sample);
    const oldest = this.#samples.findIndex((kept) => kept.t >= sample.t - this.#options.historyMs);
    if (oldest > 0) this.#samples = this.#samples.slice(oldest);
  }
}
