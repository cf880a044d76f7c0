// The floor under `nodescope snapshot` on this host, for bench/run.ts: a Node.js process that only makes
// the per-process reads a whole-host snapshot cannot do without (stat, status, cmdline, the eight
// namespace links, the fd table with each fd's link), parses nothing and prints nothing.
// Node's start-up plus this loop is what any Node agent pays before namespaces, mounts, containers or JSON.
'use strict';
const fs = require('fs');
const TYPES = ['cgroup', 'ipc', 'mnt', 'net', 'pid', 'time', 'user', 'uts'];
const buf = Buffer.allocUnsafe(16384);
let bytes = 0;
for (const pid of fs.readdirSync('/proc')) {
  if (!/^\d+$/.test(pid)) continue;
  for (const file of ['stat', 'status', 'cmdline']) {
    try {
      const fd = fs.openSync(`/proc/${pid}/${file}`, 'r');
      bytes += fs.readSync(fd, buf, 0, buf.length, null);
      fs.closeSync(fd);
    } catch {
      /* gone */
    }
  }
  for (const t of TYPES) {
    try {
      bytes += fs.readlinkSync(`/proc/${pid}/ns/${t}`).length;
    } catch {
      /* gone */
    }
  }
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) bytes += fs.readlinkSync(`/proc/${pid}/fd/${fd}`).length;
  } catch {
    /* gone */
  }
}
if (bytes === 0) process.exit(1);
