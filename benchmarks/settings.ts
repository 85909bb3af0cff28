/** Sizes of one benchmark run; `--quick` is a smoke run for CI, the full run the published one. */
export interface Settings {
  readonly quick: boolean;
  /** Length of one measured throughput pass, ms: the same for every contender. */
  readonly passMs: number;
  /** Decisions made before each pass starts counting (connections, scripts, JIT). */
  readonly warmupMs: number;
  /** Passes per contender and scenario; the best one counts (noise only ever slows a pass down). */
  readonly repeats: number;
  readonly inFlight: readonly number[];
  readonly cluster: boolean;
  readonly shareProcesses: readonly number[];
  /** Requests the whole sharing job must get accepted, split over the processes; a multiple of the limit. */
  readonly shareJob: number;
  readonly shareLimit: number;
  readonly shareWindowMs: number;
  readonly shareVariants: boolean;
  readonly memoryKeys: number;
  readonly memoryDecisionsPerKey: number;
  readonly coldStartRuns: number;
}

export function settingsFor(quick: boolean): Settings {
  return quick
    ? {
        quick,
        passMs: 120,
        warmupMs: 40,
        repeats: 1,
        inFlight: [1, 64],
        cluster: true,
        shareProcesses: [2],
        shareJob: 100,
        shareLimit: 50,
        shareWindowMs: 1_000,
        shareVariants: false,
        memoryKeys: 300,
        memoryDecisionsPerKey: 10,
        coldStartRuns: 1,
      }
    : {
        quick,
        passMs: 400,
        warmupMs: 120,
        repeats: 3,
        inFlight: [1, 64],
        cluster: true,
        shareProcesses: [1, 4, 16],
        shareJob: 200,
        shareLimit: 50,
        shareWindowMs: 1_000,
        shareVariants: true,
        memoryKeys: 10_000,
        memoryDecisionsPerKey: 10,
        coldStartRuns: 3,
      };
}
