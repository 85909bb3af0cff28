/**
 * Sizes of one benchmark run; `--quick` is a smoke run for CI, the full run the published one.
 * The quick run takes every section and every contender once, with passes, jobs and runs as
 * short as still take each path: it must stay well under a minute on 2 cores.
 */
export interface Settings {
  readonly quick: boolean;
  /** Length of one measured throughput (or serverless) pass, ms: the same for every contender. */
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
  /** Requests each sharing process sends through its limiter, on a quota of its own, before the run. */
  readonly shareWarmupRequests: number;
  /** Length of each run of the arrival section (the done-criteria matrix), ms; the first 2 s are the start. */
  readonly arrivalRunMs: number;
  readonly memoryKeys: number;
  readonly memoryDecisionsPerKey: number;
  /** New processes per contender and script state in the cold-start and serverless sections; the median counts. */
  readonly coldStartRuns: number;
  /** Decisions per pass of the server-cost section, made one at a time. */
  readonly serverCostDecisions: number;
  /** `--only <section,...>`: the sections to run (throughput, server-cost, sharing, arrival, memory, cold-start, serverless); all by default. */
  readonly sections: readonly Section[];
  /** `--match <text>`: only contenders whose name contains it (the physical limit always runs). */
  readonly match?: string;
  /** Whether `--processes` replaced the sharing runs' process counts. */
  readonly processesGiven: boolean;
  /** Whether `--arrival-seconds` replaced the length of the arrival runs. */
  readonly arrivalSecondsGiven: boolean;
}

export const allSections = [
  "throughput",
  "server-cost",
  "sharing",
  "arrival",
  "memory",
  "cold-start",
  "serverless",
] as const;
export type Section = (typeof allSections)[number];

/** Whether a contender of this name runs under `--match`. */
export function selected(settings: Settings, name: string): boolean {
  return settings.match === undefined || name.includes(settings.match) || name.startsWith("physical limit");
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith("--")) throw new TypeError(`${flag} needs a value`);
  return value;
}

/** `--processes 16` or `--processes 1,16`: positive integers, comma-separated. */
function processCounts(value: string): number[] {
  const counts = value.split(",").map(Number);
  if (counts.some((n) => !Number.isSafeInteger(n) || n < 1)) {
    throw new TypeError(`--processes takes positive integers, comma-separated; got ${value}`);
  }
  return counts;
}

/** `--arrival-seconds 30`: a whole number of seconds, longer than the 2 s start of a run. */
function arrivalSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isSafeInteger(seconds) || seconds < 3) {
    throw new TypeError(`--arrival-seconds takes a whole number of seconds, 3 or more; got ${value}`);
  }
  return seconds;
}

/**
 * Settings for the command line: `--quick`, `--only <sections>`, `--match <text>`,
 * `--processes <n,...>` (the sharing runs' process counts, without the 4-process clock-skew and
 * cron-style runs) and `--arrival-seconds <n>` (the length of each arrival run, to see whether
 * what the quota learns settles).
 */
export function settingsFromArgs(argv: readonly string[]): Settings {
  const only = flagValue(argv, "--only")?.split(",");
  const unknown = only?.filter((s) => !(allSections as readonly string[]).includes(s));
  if (unknown !== undefined && unknown.length > 0) {
    throw new TypeError(`--only takes ${allSections.join(", ")}; got ${unknown.join(", ")}`);
  }
  const match = flagValue(argv, "--match");
  const processes = flagValue(argv, "--processes");
  const seconds = flagValue(argv, "--arrival-seconds");
  return {
    ...settingsFor(argv.includes("--quick")),
    sections: (only as Section[] | undefined) ?? allSections,
    ...(match === undefined ? {} : { match }),
    ...(processes === undefined ? {} : { shareProcesses: processCounts(processes), shareVariants: false }),
    processesGiven: processes !== undefined,
    ...(seconds === undefined ? {} : { arrivalRunMs: arrivalSeconds(seconds) * 1000 }),
    arrivalSecondsGiven: seconds !== undefined,
  };
}

function settingsFor(quick: boolean): Omit<Settings, "sections" | "match" | "processesGiven" | "arrivalSecondsGiven"> {
  return quick
    ? {
        quick,
        passMs: 30,
        warmupMs: 10,
        repeats: 1,
        inFlight: [1, 64],
        cluster: true,
        shareProcesses: [2],
        shareJob: 100,
        shareLimit: 50,
        shareWindowMs: 1_000,
        shareVariants: false,
        shareWarmupRequests: 20,
        arrivalRunMs: 3_000,
        memoryKeys: 100,
        memoryDecisionsPerKey: 10,
        coldStartRuns: 1,
        serverCostDecisions: 500,
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
        shareWarmupRequests: 300,
        arrivalRunMs: 6_000,
        memoryKeys: 10_000,
        memoryDecisionsPerKey: 10,
        coldStartRuns: 3,
        serverCostDecisions: 20_000,
      };
}
