import type {
  Attributes,
  BatchObservableResult,
  Counter,
  Histogram,
  Meter,
  MeterProvider,
  Observable,
} from "@opentelemetry/api";
import type { ArrivalFigures } from "./arrival.js";
import type { Decision } from "./decision.js";
import { isSluiceError } from "./errors/sluice-error.js";
import type { FailMode, StoreFailureEvent } from "./fail-mode-store.js";

// Sluice's OpenTelemetry metrics (docs/api.md, "Metrics"). Attribute values come from short
// fixed lists or from quota names: never a URL, a key or a credential.

type Api = typeof import("@opentelemetry/api");

/** The API once loaded: `undefined` before, and for good when it is not installed. */
let api: Api | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads `@opentelemetry/api` (an optional peer dependency) once, on the first quota, store or
 * bulk run. Dynamic, so that a missing package fails a promise, not the module: alike in ESM, in
 * CJS (a `require` inside the promise) and in a Worker's bundle. What is decided before it has
 * loaded (a few microtasks after the process's first quota) goes unrecorded. The global meter
 * provider, not an option, is what is read: it is where an application's SDK registers.
 * @returns settles once the API is loaded or known absent; never rejects.
 */
export function loadMetricsApi(): Promise<void> {
  loading ??= import("@opentelemetry/api").then(
    (module) => {
      api = module;
    },
    () => {},
  );
  return loading;
}

const QUOTA = "sluice.quota.name";
const OUTCOME = "sluice.decision.outcome";
const RULE_KIND = "sluice.rule.kind";
const CAUSE = "sluice.feedback.cause";
const OPERATION = "sluice.store.operation";
const FAIL_MODE = "sluice.store.fail_mode";
const ERROR_TYPE = "error.type";
const BULK_OUTCOME = "sluice.bulk.outcome";

/** Bucket bounds (ms): a slot wait is "none" (≤ 1 ms) up to minutes; a store call is sub-ms up to its timeout. */
const WAIT_BUCKETS_MS = [1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000];
const STORE_BUCKETS_MS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000];

interface Instruments {
  readonly decisions: Counter;
  readonly wait: Histogram;
  readonly rateLimited: Counter;
  readonly pauses: Counter;
  readonly storeDuration: Histogram;
  readonly storeErrors: Counter;
  readonly bulkItems: Counter;
}

function instrumentsOf(meter: Meter): Instruments {
  const margin = meter.createObservableGauge("sluice.quota.arrival.margin", {
    unit: "ms",
    description: "The arrival margin in force that this process saw last, per quota",
  });
  const share = meter.createObservableGauge("sluice.quota.arrival.share", {
    unit: "1",
    description: "The share of each limit in force that this process saw last, per quota (0.1 to 1)",
  });
  meter.addBatchObservableCallback((result) => observeArrival(result, margin, share), [margin, share]);
  return {
    decisions: meter.createCounter("sluice.quota.decisions", {
      unit: "{decision}",
      description: "Acquires and tryAcquires by how they ended: admitted, waited (for 1 ms or more) or denied",
    }),
    wait: meter.createHistogram("sluice.quota.wait.duration", {
      unit: "ms",
      description: "Time an acquire's grant waited for its slot, from the store's first answer",
      advice: { explicitBucketBoundaries: WAIT_BUCKETS_MS },
    }),
    rateLimited: meter.createCounter("sluice.quota.rate_limited_responses", {
      unit: "{response}",
      description: "429 answers told to Quota.feedback (as @sluice/fetch does), by what the quota made of them",
    }),
    pauses: meter.createCounter("sluice.quota.pauses", {
      unit: "{pause}",
      description: "Pauses this process set on a quota for every process (feedback on a server's wait, or pause())",
    }),
    storeDuration: meter.createHistogram("sluice.store.operation.duration", {
      unit: "ms",
      description: "Duration of each store call, up to the limiter's timeout",
      advice: { explicitBucketBoundaries: STORE_BUCKETS_MS },
    }),
    storeErrors: meter.createCounter("sluice.store.errors", {
      unit: "{error}",
      description: "Store calls that failed or timed out, answered by the fail mode",
    }),
    bulkItems: meter.createCounter("sluice.bulk.items", {
      unit: "{item}",
      description: "Bulk items that ended: done, failed, or stopped midway (resumed by the next run)",
    }),
  };
}

let current: { readonly provider: MeterProvider; readonly instruments: Instruments | undefined } | undefined;

/**
 * The instruments of the meter provider registered now; `undefined` while the API is absent or
 * no SDK is registered (the API's no-op meter: nothing would be recorded, so nothing is built).
 * Made once per provider: the API has no proxy for metrics, so a provider registered after the
 * first quota gets its own instruments.
 */
function instruments(): Instruments | undefined {
  if (api === undefined) return undefined;
  const provider = api.metrics.getMeterProvider();
  if (current?.provider !== provider) {
    const meter = provider.getMeter("sluice");
    current = { provider, instruments: meter === api.createNoopMeter() ? undefined : instrumentsOf(meter) };
  }
  return current.instruments;
}

const NONE: Attributes = {};

/** The attribute set `base` plus `name: value` (just `base` for no value), made once per value. */
function withAttribute(cache: Map<string, Attributes>, base: Attributes, name: string, value?: string): Attributes {
  const key = value ?? "";
  let attributes = cache.get(key);
  if (attributes === undefined) {
    attributes = value === undefined ? base : { ...base, [name]: value };
    cache.set(key, attributes);
  }
  return attributes;
}

/**
 * The learning quotas of this process that recorded something while the API was present, the
 * latest of each name, held weakly: the gauges observe them. Keyed by name, as their attribute
 * is, so a quota made per call adds nothing; without the API nothing is added.
 */
const arrivalQuotas = new Map<string, WeakRef<QuotaMetrics>>();

function observeArrival(result: BatchObservableResult, margin: Observable, share: Observable): void {
  for (const [name, ref] of arrivalQuotas) {
    const quota = ref.deref();
    if (quota === undefined) arrivalQuotas.delete(name);
    else quota.observeArrival(result, margin, share);
  }
}

type Outcome = "admitted" | "waited" | "denied";

/** A quota's attribute sets, made on its first record, so recording allocates nothing after it. */
interface QuotaAttributes {
  readonly quota: Attributes;
  readonly outcomes: Record<Outcome, { readonly base: Attributes; readonly byKind: Map<string, Attributes> }>;
  readonly causes: Map<string, Attributes>;
}

/**
 * What one quota records. A quota made per request (a name per user) costs nothing until it
 * records with the API present.
 */
export class QuotaMetrics {
  readonly #name: string;
  readonly #figures: (() => ArrivalFigures | undefined) | undefined;
  #attributes: QuotaAttributes | undefined;

  /** @param figures the arrival figures the quota saw last, for a quota that has them (the gauges). */
  constructor(name: string, figures?: () => ArrivalFigures | undefined) {
    this.#name = name;
    this.#figures = figures;
    void loadMetricsApi();
  }

  /** The instruments and this quota's attribute sets; `undefined` while the API is absent. */
  #recording(): { readonly instruments: Instruments; readonly attributes: QuotaAttributes } | undefined {
    const recorded = instruments();
    if (recorded === undefined) return undefined;
    if (this.#attributes === undefined) {
      const quota = { [QUOTA]: this.#name };
      const outcome = (value: Outcome) => ({ base: { ...quota, [OUTCOME]: value }, byKind: new Map() });
      const outcomes = { admitted: outcome("admitted"), waited: outcome("waited"), denied: outcome("denied") };
      this.#attributes = { quota, outcomes, causes: new Map() };
      if (this.#figures !== undefined) arrivalQuotas.set(this.#name, new WeakRef(this));
    }
    return { instruments: recorded, attributes: this.#attributes };
  }

  /** The attributes of a decision: the quota, the outcome and, for a wait or a denial, what decided it. */
  #decision(attributes: QuotaAttributes, outcome: Outcome, blockedBy: Decision["blockedBy"]): Attributes {
    const { base, byKind } = attributes.outcomes[outcome];
    if (outcome === "admitted" || blockedBy === undefined) return base;
    return withAttribute(byKind, base, RULE_KIND, blockedBy === "pause" ? "pause" : blockedBy.kind);
  }

  /** A `tryAcquire`'s answer, or an `acquire` that gave up (`QuotaExceededError`: not allowed). */
  decided(allowed: boolean, blockedBy: Decision["blockedBy"]): void {
    const recording = this.#recording();
    if (recording === undefined) return;
    const { instruments, attributes } = recording;
    instruments.decisions.add(1, this.#decision(attributes, allowed ? "admitted" : "denied", blockedBy));
  }

  /** An `acquire`'s grant, after `waitedMs` from the store's first answer; 1 ms or more is a wait. */
  granted(grant: Pick<Decision, "blockedBy">, waitedMs: number): void {
    const recording = this.#recording();
    if (recording === undefined) return;
    const { instruments, attributes } = recording;
    instruments.decisions.add(1, this.#decision(attributes, waitedMs >= 1 ? "waited" : "admitted", grant.blockedBy));
    instruments.wait.record(waitedMs, attributes.quota);
  }

  /** A 429 told to `feedback`, with the cause the quota found. */
  rateLimited(cause: string): void {
    const recording = this.#recording();
    if (recording === undefined) return;
    const { instruments, attributes } = recording;
    instruments.rateLimited.add(1, withAttribute(attributes.causes, attributes.quota, CAUSE, cause));
  }

  /** A pause this process set for every process. */
  paused(): void {
    const recording = this.#recording();
    recording?.instruments.pauses.add(1, recording.attributes.quota);
  }

  /** Observes the quota's last arrival figures into the gauges; nothing before it has seen any. */
  observeArrival(result: BatchObservableResult, margin: Observable, share: Observable): void {
    const figures = this.#figures?.();
    if (figures === undefined || this.#attributes === undefined) return;
    result.observe(margin, figures.marginMs, this.#attributes.quota);
    result.observe(share, figures.share, this.#attributes.quota);
  }
}

type Operation = StoreFailureEvent["operation"];

/** What a guarded store (`FailModeStore`) records. */
export class StoreMetrics {
  readonly #failMode: Attributes;
  readonly #calls = new Map<string, Attributes>();
  readonly #errors = new Map<string, Attributes>();

  constructor(failMode: FailMode) {
    this.#failMode = { [FAIL_MODE]: failMode };
    void loadMetricsApi();
  }

  /**
   * A store call that took `ms`, with the `error` it failed with: `error.type` is a Sluice error's
   * code (a timeout is `STORE_UNAVAILABLE`), else `_OTHER`, never the message.
   */
  called(operation: Operation, ms: number, error?: unknown): void {
    const recorded = instruments();
    if (recorded === undefined) return;
    const call = withAttribute(this.#calls, NONE, OPERATION, operation);
    // A failure may allocate: it is rare, and its error already did.
    const attributes =
      error === undefined ? call : { ...call, [ERROR_TYPE]: isSluiceError(error) ? error.code : "_OTHER" };
    recorded.storeDuration.record(ms, attributes);
  }

  /** A failure the fail mode answered for (an error, an admission or a local decision). */
  failed(operation: Operation): void {
    instruments()?.storeErrors.add(1, withAttribute(this.#errors, this.#failMode, OPERATION, operation));
  }
}

/** What a bulk run records. */
export class BulkMetrics {
  readonly #ends = new Map<string, Attributes>();
  readonly #run: Attributes;

  /** @param quota the name of the run's quota, if it has one. */
  constructor(quota: string | undefined) {
    this.#run = quota === undefined ? NONE : { [QUOTA]: quota };
    void loadMetricsApi();
  }

  /** An item that ended. */
  ended(end: "done" | "failed" | "stopped"): void {
    instruments()?.bulkItems.add(1, withAttribute(this.#ends, this.#run, BULK_OUTCOME, end));
  }
}
