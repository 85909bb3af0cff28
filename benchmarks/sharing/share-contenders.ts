import { feedbackClient } from "./feedback-client.js";
import { fetchClient } from "./fetch-client.js";
import { gatedClient } from "./gated-client.js";
import { type GateContender, gateContenders, gateFor } from "./gates.js";
import type { ClientContext, ShareClient } from "./share-client.js";

/** Sluice as a user runs it untuned, sending by itself and learning from the answers. */
export const learningContenders = ["Sluice default (createFetch)", "Sluice default (acquire + feedback)"] as const;

/** Every contender of the sharing runs, in the order of the table: untuned Sluice first. */
export const shareContenders = [...learningContenders, ...gateContenders] as const;

export type ShareContender = (typeof shareContenders)[number];

const isGate = (contender: ShareContender): contender is GateContender =>
  (gateContenders as readonly string[]).includes(contender);

/**
 * The client of one contender, warmed up by one read-only call where it has one (connection,
 * scripts, code paths), as a running service would be: the run measures sharing, not start-up.
 */
export async function clientFor(contender: ShareContender, context: ClientContext): Promise<ShareClient> {
  if (isGate(contender)) return gatedClient(await gateFor(contender, context), context.url);
  switch (contender) {
    case "Sluice default (createFetch)":
      return fetchClient(context);
    case "Sluice default (acquire + feedback)":
      return feedbackClient(context);
  }
}

const untuned: readonly ShareContender[] = [...learningContenders, "Sluice default (acquire, no feedback)"];

/** Whether the contender's quota has the default arrival part, whose figures can be read after a run. */
export const hasDefaultArrival = (contender: ShareContender): boolean => untuned.includes(contender);
