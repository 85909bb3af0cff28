import { hasErrorCode, SluiceError } from "./sluice-error.js";

/** An acquire asked for more units than a limit can ever hold, so waiting would never end. */
export class CostExceedsCapacityError extends SluiceError {
  override name = "CostExceedsCapacityError";
  readonly cost: number;
  readonly capacity: number;
  readonly limit: string;

  constructor(cost: number, capacity: number, limit: string) {
    super(
      "COST_EXCEEDS_CAPACITY",
      `Cost ${cost} can never fit ${limit}, which holds at most ${capacity}: lower the cost or raise the limit.`,
    );
    this.cost = cost;
    this.capacity = capacity;
    this.limit = limit;
  }
}

export const isCostExceedsCapacityError = (error: unknown): error is CostExceedsCapacityError =>
  hasErrorCode(error, "COST_EXCEEDS_CAPACITY", "CostExceedsCapacityError");
