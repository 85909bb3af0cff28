/** This process's clock in microseconds since the epoch: monotonic (never steps back). */
export const localMicros = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000);
