// `pnpm bench [--quick]`: every figure of benchmarks/README.md in one run on this machine.
// Starts its own redis-server and 3-master Cluster on loopback (or uses REDIS_URL and
// REDIS_CLUSTER_NODES), stops them at the end, and writes benchmarks/results/latest.{json,md}
// (a quick run: benchmarks/results/quick/, not committed).
import { mkdir, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { type ColdStartRow, coldStartSteps, coldStartSuite } from "./cold-start/cold-start-suite.js";
import { describeMachine } from "./machine.js";
import { type MemoryRow, memoryStepsCount, memorySuite } from "./memory/memory-suite.js";
import { Progress } from "./progress.js";
import { redisTargets } from "./redis-targets.js";
import { markdown, type Report } from "./report/report.js";
import { type ServerCostRow, serverCostSteps, serverCostSuite } from "./server-cost/server-cost-suite.js";
import { type ServerlessRow, serverlessSteps, serverlessSuite } from "./serverless/serverless-suite.js";
import { allSections, type Section, settingsFromArgs } from "./settings.js";
import { type ArrivalRow, arrivalSteps, arrivalSuite } from "./sharing/arrival-suite.js";
import { type ShareRig, startShareRig } from "./sharing/share-rig.js";
import type { ShareRow } from "./sharing/share-run.js";
import { sharingSteps, sharingSuite } from "./sharing/sharing-suite.js";
import { type ThroughputRow, throughputSteps, throughputSuite } from "./throughput/throughput-suite.js";

const settings = settingsFromArgs(process.argv.slice(2));
const { quick } = settings;
const runs = (section: Section) => settings.sections.includes(section);
// A quick run is CI's smoke run, made on every checkout: its report never touches a committed file.
const resultsDir = quick ? "results/quick/" : "results/";
const results = fileURLToPath(new URL(`./${resultsDir}`, import.meta.url));
const started = performance.now();

const progress = new Progress(
  (runs("throughput") ? throughputSteps(settings) : 0) +
    (runs("server-cost") ? serverCostSteps(settings) : 0) +
    (runs("sharing") ? sharingSteps(settings) : 0) +
    (runs("arrival") ? arrivalSteps(settings) : 0) +
    (runs("memory") ? memoryStepsCount(settings) : 0) +
    (runs("cold-start") ? coldStartSteps(settings) : 0) +
    (runs("serverless") ? serverlessSteps(settings) : 0),
);
const targets = await redisTargets(settings.cluster);
const errors: string[] = [];
const sectionSeconds: Partial<Record<Section, number>> = {};

// A failing section is reported as missing, and the others still run. A section that ran and
// has no figures failed too, unless --match left it no contender.
async function section<T>(name: Section, run: () => Promise<T[]>): Promise<T[]> {
  if (!runs(name)) return [];
  const start = performance.now();
  try {
    const rows = await run();
    if (rows.length === 0 && settings.match === undefined) errors.push(`${name}: no figures`);
    return rows;
  } catch (error) {
    errors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    return [];
  } finally {
    sectionSeconds[name] = (performance.now() - start) / 1000;
  }
}

// The sharing and arrival sections share one strict API and one pool of worker processes.
let rig: ShareRig | undefined;
const shareRig = async (): Promise<ShareRig> => {
  rig ??= await startShareRig(targets.url, settings);
  return rig;
};
const closeRig = async (): Promise<void> => {
  const open = rig;
  rig = undefined;
  await open?.close();
};

let report: Report;
try {
  const machine = await describeMachine(targets.url);
  const throughput = await section<ThroughputRow>("throughput", () => throughputSuite(targets, settings, progress));
  const serverCost = await section<ServerCostRow>("server-cost", () => serverCostSuite(targets, settings, progress));
  const sharing = await section<ShareRow>("sharing", async () => sharingSuite(await shareRig(), settings, progress));
  const arrival = await section<ArrivalRow>("arrival", async () => arrivalSuite(await shareRig(), settings, progress));
  await closeRig();
  const memory = await section<MemoryRow>("memory", () => memorySuite(targets, settings, progress));
  const coldStart = await section<ColdStartRow>("cold-start", () => coldStartSuite(targets, settings, progress));
  const serverless = await section<ServerlessRow>("serverless", () => serverlessSuite(targets, settings, progress));
  report = {
    command: ["pnpm bench", ...process.argv.slice(2)].join(" "),
    date: new Date().toISOString(),
    elapsedSeconds: (performance.now() - started) / 1000,
    sectionSeconds,
    machine,
    redisSource: targets.started ? "started by the benchmark on loopback" : "REDIS_URL / REDIS_CLUSTER_NODES",
    settings,
    throughput,
    serverCost,
    sharing,
    arrival,
    memory,
    coldStart,
    serverless,
    errors,
  };
} finally {
  progress.stop();
  await closeRig();
  await targets.stop();
}

await mkdir(results, { recursive: true });
const text = markdown(report);
// A partial run (--only, --match, --processes, --arrival-seconds) is written beside the full one, never over it.
const partial =
  settings.sections.length < allSections.length ||
  settings.match !== undefined ||
  settings.processesGiven ||
  settings.arrivalSecondsGiven;
const name = `latest${partial ? "-partial" : ""}`;
await writeFile(`${results}${name}.json`, `${JSON.stringify(report, null, 2)}\n`);
await writeFile(`${results}${name}.md`, text);
process.stdout.write(`\n${text}\nWritten: benchmarks/${resultsDir}${name}.json and ${name}.md\n`);
// Some contenders' Cluster clients keep reconnect timers after their servers stop; the run is over.
process.exit(errors.length > 0 ? 1 : 0);
