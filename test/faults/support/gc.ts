import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

let gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** Runs a full garbage collection (exposing `gc` at run time when node was not started with it). */
export function forceGc(): void {
  if (gc === undefined) {
    setFlagsFromString("--expose-gc");
    gc = runInNewContext("gc") as () => void;
  }
  gc();
}

export const heapMb = (): number => {
  forceGc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};
