// io byte counters in the kernel's documented formats (Documentation/admin-guide/cgroup-v2.rst "io.stat";
// cgroup-v1/blkio-controller.rst "blkio.throttle.io_service_bytes"); the real files are read in
// test/integration/securityResourceFacts.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIoServiceBytes, parseIoStat } from '../../../server/discover/cgroups';

test('v2 io.stat: rbytes and wbytes summed over devices', () => {
  const text =
    '8:16 rbytes=1459200 wbytes=314773504 rios=192 wios=353 dbytes=0 dios=0\n8:0 rbytes=90430464 wbytes=299008000 rios=8950 wios=1252 dbytes=50331648 dios=3021\n';
  assert.deepEqual(parseIoStat(text), { readBytes: 1459200 + 90430464, writeBytes: 314773504 + 299008000 });
  assert.deepEqual(parseIoStat(''), { readBytes: null, writeBytes: null });
});

test('v1 io_service_bytes: Read and Write lines summed, `Total 0` alone is zero', () => {
  const text =
    '254:0 Read 1048576\n254:0 Write 2097152\n254:0 Sync 3145728\n254:0 Async 0\n254:0 Discard 0\n254:0 Total 3145728\n8:0 Read 4096\n8:0 Write 0\nTotal 3149824\n';
  assert.deepEqual(parseIoServiceBytes(text), { readBytes: 1048576 + 4096, writeBytes: 2097152 });
  assert.deepEqual(parseIoServiceBytes('Total 0\n'), { readBytes: 0, writeBytes: 0 });
  assert.deepEqual(parseIoServiceBytes(''), { readBytes: null, writeBytes: null });
});

test('a sum past 2^53 is unknown, not rounded', () => {
  assert.deepEqual(parseIoStat('8:0 rbytes=9007199254740991 wbytes=1\n8:16 rbytes=2 wbytes=1\n'), { readBytes: null, writeBytes: 2 });
});
