import type { Progress } from "../progress.js";
import { type Settings, selected } from "../settings.js";
import { shareContenders } from "./share-contenders.js";
import type { ShareRig } from "./share-rig.js";
import { type Plan, runContender, type ShareRow } from "./share-run.js";

function plans(settings: Settings): Plan[] {
  const list: Plan[] = [];
  const length = { job: settings.shareJob };
  const run = { kind: "sliding window", foreignShare: 0, length } as const;
  for (const contender of shareContenders.filter((name) => selected(settings, name))) {
    for (const processes of settings.shareProcesses) list.push({ contender, processes, variant: "together", ...run });
    if (settings.shareVariants) {
      list.push({ contender, processes: 4, variant: "clock skew", ...run });
      list.push({ contender, processes: 4, variant: "cron-style", ...run });
    }
  }
  return list;
}

export const sharingSteps = (settings: Settings): number => plans(settings).length;

/**
 * How well each contender shares one quota among processes, judged by a strict local API with
 * an exact sliding window. The rig's processes are started once, and warmed up for each
 * contender before its first run.
 */
export async function sharingSuite(rig: ShareRig, settings: Settings, progress: Progress): Promise<ShareRow[]> {
  const rows: ShareRow[] = [];
  const all = plans(settings);
  for (const contender of shareContenders) {
    const runs = all.filter((plan) => plan.contender === contender);
    if (runs.length === 0) continue;
    const context = { rig, settings, section: "sharing" };
    for (const { row } of await runContender(contender, runs, context, progress)) rows.push(row);
  }
  return rows;
}
