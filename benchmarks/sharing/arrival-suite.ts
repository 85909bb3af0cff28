import type { Progress } from "../progress.js";
import { type Settings, selected } from "../settings.js";
import { type ArrivalCase, arrivalCases, misses } from "./arrival-criteria.js";
import { learningContenders } from "./share-contenders.js";
import type { ShareRig } from "./share-rig.js";
import { type Plan, runContender, type ShareRow } from "./share-run.js";

/** A run of the done-criteria matrix, and the criteria it missed (none: it met them all). */
export interface ArrivalRow extends ShareRow {
  readonly misses: readonly string[];
}

function plans(settings: Settings): Array<Plan & { readonly criteria: ArrivalCase["criteria"] }> {
  return learningContenders
    .filter((name) => selected(settings, name))
    .slice(0, settings.quick ? 1 : undefined)
    .flatMap((contender) =>
      arrivalCases(settings.quick).map(({ processes, kind, foreignShare, criteria }) => ({
        contender,
        processes,
        variant: "together" as const,
        kind,
        foreignShare,
        length: { runMs: settings.arrivalRunMs },
        criteria,
      })),
    );
}

export const arrivalSteps = (settings: Settings): number => plans(settings).length;

/**
 * Untuned Sluice (createFetch, and the engine API with `feedback`) against the done
 * criteria: runs of a fixed length against a strict API of each limit kind, with and without a
 * client outside Sluice.
 */
export async function arrivalSuite(rig: ShareRig, settings: Settings, progress: Progress): Promise<ArrivalRow[]> {
  const all = plans(settings);
  const rows: ArrivalRow[] = [];
  for (const contender of learningContenders) {
    const runs = all.filter((plan) => plan.contender === contender);
    if (runs.length === 0) continue;
    const context = { rig, settings, section: "arrival" };
    for (const { plan, row } of await runContender(contender, runs, context, progress)) {
      rows.push({ ...row, misses: misses(row, plan.criteria) });
    }
  }
  return rows;
}
