--[[
  Decides batches of acquires of one or more quotas, in order, each request against all the
  limits of its quota at once, all-or-nothing.

  For each request in turn: finds the earliest slot t >= now at which EVERY limit of its quota
  admits its cost (and no pause of the quota is in force), then, if t - now <= its maxWait,
  records the admission at t in every limit (a reservation when t > now: the caller sleeps
  t - now once, then proceeds). A denial writes nothing. Reservations are FIFO: no limit
  places a slot before one it already gave. A call is exactly its requests sent one after the
  other at the same instant; it lets one process coalesce concurrent acquires into one round
  trip (in a Cluster, only quotas of one hash slot share a call).

  KEYS[1]  the call's key (string, in the slot of the quotas): remembers the reply of a call
           that admitted something for ARGV[3] ms, so a call the client resends after a
           reconnect, or a named request its caller retries, is answered, not re-run (while
           every lease the reply granted is still held)
  then, per quota q in order:
    KEYS[k]      pause key of q (string: paused-until time, microseconds)
    KEYS[k + i]  key of limit i of q (one quota's keys share one hash tag)

  ARGV[1]  now: "" to use Redis TIME (always, in production); microseconds for tests only
  ARGV[2]  "1" to record admissions, "0" to only report (state())
  ARGV[3]  remember: milliseconds to keep the reply under KEYS[1]; 0 = do not; "-<ms>" for a
           named request's call (one request, an id its caller may retry under, decided again
           once its grant no longer holds): a log names the entries of each such decision apart
  ARGV[4]  deadline: Redis time (microseconds) after which a recording call admits nothing
           (its caller has timed out), estimated from earlier replies; "" = none
  ARGV[5]  S: number of rule sets, >= 1; then per rule set: L (>= 1) and L times kind
           ("tb" | "sw" | "swb" | "fw" | "cc" | "ar"), a, b, c (see algorithms/*.lua); "ar",
           at most one per set, is the quota's arrival part (margin, share, pacing), whose
           figures widen the set's other limits for that quota
  then     Q: number of quotas, >= 1; then runs of quotas until Q are given. A run is N (quotas
           in it, >= 1), their rule set (1..S), R (requests per quota, >= 1; a call decides at
           most 100,000 requests) and the terms all
           N * R requests share: cost (integer units >= 1, or 0 when not recording), maxWait
           (microseconds the caller accepts to wait; -1 = no bound), headroom_pm (per mille of each
           limit's size the request must leave free: headroom for higher priorities; 0 for the
           highest); then, only when the rule set has an exact sliding window or a concurrency
           limit, N * R request ids, quota by quota (unique per acquire: they name log entries
           and leases). Requests of one quota with different terms go as several quotas in a
           row (deciding them one after the other is the same).
  A quota's KEYS are its pause key then one key per limit of its rule set.

  Clock: Redis TIME, in microseconds since the Unix epoch.

  Returns a flat array of integers: Redis time of the decision (microseconds), then one block
  of 2 + 2L per request, quotas in order (small numbers, so the reply stays short):
    [1] code = 4 * (blocking + 1) + 2 * unqueueable + admitted, where
        admitted    1 admitted, 0 denied
        unqueueable 1 when the denial cannot be reserved ahead (a full concurrency limit)
        blocking    0 none, -1 the pause, i the limit that set the slot (or is full)
    [2] wait: microseconds from now to the slot (admitted), or until a retry could succeed
        (denied: the slot that was beyond maxWait, or the earliest lease expiry when a
        concurrency limit is full)
    [3 + 2(i-1)] remaining units of limit i after this decision
    [4 + 2(i-1)] reset of limit i, microseconds after now: when it is fully available again
        (token bucket: full bucket; windows: the last admission leaves; fixed window: the
        current window ends; concurrency: the earliest lease expiry)
  A remembered reply is the first run's, with the Redis time of this run appended.
]]

--- @include "includes/common"
--- @include "includes/limits"
--- @include "algorithms/token-bucket"
--- @include "algorithms/sliding-log"
--- @include "algorithms/sliding-buckets"
--- @include "algorithms/fixed-window"
--- @include "algorithms/concurrency"
--- @include "algorithms/arrival"
--- @include "includes/acquire-parse"
--- @include "includes/acquire-decide"
--- @include "includes/acquire-reply"
