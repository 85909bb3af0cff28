import { onAbort } from "./on-abort.js";

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal === undefined) return void setTimeout(resolve, ms);
    if (signal.aborted) return reject(signal.reason);
    const stopListening = onAbort(signal, () => {
      clearTimeout(timer);
      reject(signal.reason);
    });
    const timer = setTimeout(() => {
      stopListening();
      resolve();
    }, ms);
  });
}
