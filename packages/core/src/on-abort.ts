const callbacks = new WeakMap<AbortSignal, Set<() => void>>();

/**
 * Runs `callback` when `signal` aborts; the returned function cancels that. All callbacks of
 * one signal share one listener, so thousands of waits on one signal (a batch's, a shutdown's)
 * add one listener, not thousands (Node warns of a leak past ten).
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let waiting = callbacks.get(signal);
  if (waiting === undefined) {
    const created = new Set<() => void>();
    callbacks.set(signal, created);
    signal.addEventListener(
      "abort",
      () => {
        callbacks.delete(signal);
        for (const run of created) run();
      },
      { once: true },
    );
    waiting = created;
  }
  const set = waiting;
  set.add(callback);
  return () => void set.delete(callback);
}
