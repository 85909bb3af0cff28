/** `sluice --help`. */
export const helpText = `Usage: sluice status [options]

Shows every quota under a key prefix: its limits, use now, reservations waiting, the pause in
force, the arrival margin and share of each limit it learned, and recent 429s with what the
quota made of them. Reads only (SCAN, TIME, TYPE, GET, ZCOUNT, HGETALL, LRANGE); it never
changes state.

Options:
  --url <url>                 Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --cluster <host:port,...>   Redis Cluster seed nodes (or redis:// URLs); every master is scanned
  --prefix <prefix>           key prefix given to createLimiter (default: sluice)
  --json                      print one JSON document (one per line with --watch)
  --watch [seconds]           redraw every N seconds (default: 2) until Ctrl-C
  -h, --help                  show this help

Passwords in URLs are never printed.

Examples:
  sluice status
  sluice status --url redis://:secret@redis.internal:6379 --prefix myapp --watch
  sluice status --cluster 10.0.0.1:7000,10.0.0.2:7000 --json | jq '.quotas[].name'
`;
