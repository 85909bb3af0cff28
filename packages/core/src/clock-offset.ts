/** How long one offset sample stands for the best one before a newer sample replaces it. */
const SAMPLE_LIFE_US = 10_000_000;

/**
 * The store's clock minus this process's, estimated from replies. A reply's sample is the
 * store's time minus the local time at receipt: short of the truth by the reply's transit, so
 * the largest recent sample (the quickest reply) is the closest.
 */
export class ClockOffset {
  #best: { readonly offsetUs: number; readonly atUs: number } | undefined;

  /** Records a reply that carried store time `storeUs` and was received at local `receivedUs`. */
  observe(storeUs: number, receivedUs: number): void {
    const offsetUs = storeUs - receivedUs;
    const best = this.#best;
    if (best === undefined || offsetUs >= best.offsetUs || receivedUs - best.atUs > SAMPLE_LIFE_US) {
      this.#best = { offsetUs, atUs: receivedUs };
    }
  }

  /** The best estimate, or `undefined` before the first reply. */
  get offsetUs(): number | undefined {
    return this.#best?.offsetUs;
  }

  /**
   * The local time of store time `storeUs`, seen by a call sent at local `sentUs` and answered
   * at `receivedUs`: the store's moment lies between the two, whatever the estimate says.
   */
  localTimeOf(storeUs: number, sentUs: number, receivedUs: number): number {
    const offsetUs = this.offsetUs ?? storeUs - receivedUs;
    return Math.min(receivedUs, Math.max(sentUs, storeUs - offsetUs));
  }
}
