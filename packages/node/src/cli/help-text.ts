/** `sluice --help`. */
export const helpText = `Usage: sluice status [options]
       sluice dashboard [options]

status shows every quota under a key prefix: its limits, use now, reservations waiting, the
pause in force, the arrival margin and share of each limit it learned, and recent 429s with what
the quota made of them. dashboard serves the same as a web page that updates itself: use against
each limit over the last minutes as a chart. Both only read (SCAN, TIME, TYPE, GET, ZCOUNT,
HGETALL, LRANGE); they never change state.

Options:
  --url <url>                 Redis URL (default: $REDIS_URL, else redis://127.0.0.1:6379)
  --cluster <host:port,...>   Redis Cluster seed nodes (or redis:// URLs); every master is scanned
  --prefix <prefix>           key prefix given to createLimiter (default: sluice)
  -h, --help                  show this help

status:
  --json                      print one JSON document (one per line with --watch)
  --watch [seconds]           redraw every N seconds (default: 2) until Ctrl-C

dashboard (prints the page's URL, serves until Ctrl-C):
  --host <address>            address to listen on (default: 127.0.0.1, this machine only)
  --port <port>               port to listen on (default: 0, a free one)
  --interval <seconds>        read Redis every N seconds, for all open pages (default: 1)

Passwords in URLs are never printed.

Examples:
  sluice status
  sluice status --url redis://:secret@redis.internal:6379 --prefix myapp --watch
  sluice status --cluster 10.0.0.1:7000,10.0.0.2:7000 --json | jq '.quotas[].name'
  sluice dashboard --prefix myapp --port 7070
`;
