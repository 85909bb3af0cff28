import cliProgress from "cli-progress";

/** One progress line for the whole run: steps done of all steps, and what runs now. */
export class Progress {
  readonly #bar: cliProgress.SingleBar;

  constructor(total: number) {
    this.#bar = new cliProgress.SingleBar(
      {
        format: "{bar} {value}/{total} {duration}s {step}",
        hideCursor: true,
        clearOnComplete: false,
        // Without a terminal (CI logs) print the line every 5 s instead of redrawing it.
        noTTYOutput: true,
        notTTYSchedule: 5_000,
      },
      cliProgress.Presets.shades_classic,
    );
    this.#bar.start(total, 0, { step: "starting Redis" });
  }

  step(label: string): void {
    this.#bar.update({ step: label });
  }

  done(label: string): void {
    this.#bar.increment({ step: label });
  }

  addSteps(count: number): void {
    this.#bar.setTotal(this.#bar.getTotal() + count);
  }

  stop(): void {
    this.#bar.stop();
  }
}
