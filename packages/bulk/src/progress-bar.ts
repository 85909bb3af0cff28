import cliProgress from "cli-progress";
import { formatSeconds } from "./eta.js";

export interface ProgressSnapshot {
  /** Items finished so far, including those skipped as already done. */
  readonly value: number;
  readonly total: number | undefined;
  readonly failed: number;
  /** Items per second finished in this run. */
  readonly rate: number | undefined;
  readonly etaSeconds: number | undefined;
}

/** A `cli-progress` bar on stderr: count, rate, failures, and the quota-derived ETA. */
export class ProgressBar {
  readonly #bar: cliProgress.SingleBar;
  readonly #known: boolean;

  constructor(total: number | undefined, stream: NodeJS.WritableStream = process.stderr) {
    this.#known = total !== undefined;
    this.#bar = new cliProgress.SingleBar({
      stream,
      hideCursor: true,
      fps: 5,
      format: this.#known
        ? "{bar} {percentage}% | {value}/{total} items | {speed}/s | {failedCount} failed | ETA {etaText}"
        : "{value} items | {speed}/s | {failedCount} failed",
      barsize: 30,
    });
    this.#bar.start(total ?? 0, 0, { speed: "-", failedCount: 0, etaText: "?" });
  }

  update(snapshot: ProgressSnapshot): void {
    this.#bar.update(snapshot.value, {
      speed: snapshot.rate === undefined ? "-" : snapshot.rate.toFixed(1),
      failedCount: snapshot.failed,
      etaText: formatSeconds(snapshot.etaSeconds),
    });
  }

  stop(): void {
    this.#bar.stop();
  }
}
