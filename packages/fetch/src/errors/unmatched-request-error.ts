import { SluiceError } from "@sluice/core";
import { hasErrorCode } from "@sluice/core/adapter";

/** A request matched no route while `unmatched` is `"reject"`; nothing was sent. */
export class UnmatchedRequestError extends SluiceError {
  override name = "UnmatchedRequestError";
  readonly method: string;
  /** Origin and path of the request; the query string is left out (it may carry secrets). */
  readonly url: string;

  constructor(method: string, url: string) {
    super(
      "UNMATCHED_REQUEST",
      `${method} ${url} matches no route and \`unmatched\` is "reject": add a route for it or set \`unmatched: "pass"\`.`,
    );
    this.method = method;
    this.url = url;
  }
}

export const isUnmatchedRequestError = (error: unknown): error is UnmatchedRequestError =>
  hasErrorCode(error, "UNMATCHED_REQUEST", "UnmatchedRequestError");
