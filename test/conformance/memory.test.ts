import { MemoryStore } from "@sluice/core/adapter";
import { describeModelEquivalence, NO_EXPIRY_US } from "./model-equivalence.js";
import { describeStoreConformance } from "./store-suite.js";

describeStoreConformance("reference model", () => ({ store: new MemoryStore(), close: async () => {} }));
// The model against itself still checks the sliding-window invariant on every schedule.
describeModelEquivalence(
  "reference model",
  () => ({ store: new MemoryStore(undefined, { ttlSlackUs: NO_EXPIRY_US }), close: async () => {} }),
  100,
);
