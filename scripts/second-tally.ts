/** One second of the demo: admissions of each worker in it, counted from the first admission. */
export interface SecondRow {
  /** 1 for the first second. */
  readonly second: number;
  /** By worker. */
  readonly counts: readonly number[];
}

/**
 * Counts admissions per worker in each second from the first admission, and hands each second
 * over once it is over, so that the demo prints it while the workers run. A second counts as
 * over when an admission `lagMs` past its end arrives: workers report through pipes, so one
 * may report a moment after another has reported a later slot.
 */
export class SecondTally {
  readonly #counts: number[][];
  readonly #windowMs: number;
  readonly #lagMs: number;
  #first: number | undefined;
  #handedOver = 0;

  constructor(options: { workers: number; seconds: number; windowMs: number; lagMs: number }) {
    this.#counts = Array.from({ length: options.seconds }, () => new Array<number>(options.workers).fill(0));
    this.#windowMs = options.windowMs;
    this.#lagMs = options.lagMs;
  }

  /** Counts an admission (epoch ms of its slot); returns the seconds that it shows are over. */
  add(worker: number, at: number): SecondRow[] {
    this.#first ??= at;
    const second = Math.max(0, Math.floor((at - this.#first) / this.#windowMs));
    const row = this.#counts[second];
    if (row !== undefined) row[worker] = (row[worker] ?? 0) + 1;
    return this.#handOver(Math.floor((at - this.#first - this.#lagMs) / this.#windowMs));
  }

  /** The seconds not handed over yet: the workers are done. */
  finish(): SecondRow[] {
    return this.#handOver(this.#counts.length);
  }

  #handOver(over: number): SecondRow[] {
    const rows: SecondRow[] = [];
    for (; this.#handedOver < Math.min(over, this.#counts.length); this.#handedOver++) {
      rows.push({ second: this.#handedOver + 1, counts: this.#counts[this.#handedOver] as number[] });
    }
    return rows;
  }
}
