// Live resources from samples: CPU cores from cumulative CPU time, unknown until two samples; io rates;
// OOM kills as the counter's increments; the ring's bound and order; sorting by pressure and headroom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  historyCapacity,
  rowsOf,
  SampleRing,
  sampleOf,
  seriesOf,
  sortRows,
  type ContainerSample,
  type ResourceSample,
} from '../../../src/model/resources/resourceSamples';
import { sampleSnapshot } from '../cli/sampleSnapshot';

function cs(id: string, over: Partial<ContainerSample>): ContainerSample {
  return {
    id,
    name: id,
    memoryBytes: null,
    memoryLimit: null,
    cpuUsec: null,
    cpuLimitCores: null,
    pids: null,
    pidsMax: null,
    ioReadBytes: null,
    ioWriteBytes: null,
    oomKills: null,
    cpuSome: null,
    cpuFull: null,
    memorySome: null,
    memoryFull: null,
    ioSome: null,
    ioFull: null,
    ...over,
  };
}
const at = (t: number, ...containers: ContainerSample[]): ResourceSample => ({ t, containers, omitted: 0 });

test('CPU: unknown with one sample, cores from the usage delta over wall time with two', () => {
  const one = [at(0, cs('a', { cpuUsec: 1_000_000 }))];
  assert.equal(rowsOf(one)[0].cpuCores, null);
  const two = [...one, at(2000, cs('a', { cpuUsec: 2_000_000 }))];
  assert.equal(rowsOf(two)[0].cpuCores, 0.5);
  assert.deepEqual(seriesOf(two, 'a').cpuCores, [null, 0.5]);
  // A counter that went down is a new cgroup (restart): unknown, not negative.
  assert.equal(rowsOf([...two, at(4000, cs('a', { cpuUsec: 10 }))])[0].cpuCores, null);
});

test('io rates per second; unknown counters stay unknown', () => {
  const s = [at(0, cs('a', { ioWriteBytes: 0 })), at(500, cs('a', { ioWriteBytes: 1024 * 1024 }))];
  assert.equal(rowsOf(s)[0].ioWritePerSec, 2 * 1024 * 1024);
  assert.equal(rowsOf(s)[0].ioReadPerSec, null);
});

test('OOM kills: marked where the counter went up, by how much', () => {
  const s = [
    at(1000, cs('a', { oomKills: 0 })),
    at(2000, cs('a', { oomKills: 0 })),
    at(3000, cs('a', { oomKills: 2 })),
    at(4000, cs('a', { oomKills: 3 })),
  ];
  assert.deepEqual(seriesOf(s, 'a').oomKills, [
    { t: 3, count: 2 },
    { t: 4, count: 1 },
  ]);
  assert.equal(rowsOf(s)[0].oomKillsSeen, 3);
});

test('headroom: the scarcest limited resource; pressure: the worst some avg10', () => {
  const s = [
    at(
      0,
      cs('a', { memoryBytes: 60, memoryLimit: 100, pids: 45, pidsMax: 50, cpuUsec: 0, cpuLimitCores: 1 }),
      cs('b', { memoryBytes: 10 }),
      cs('c', { memorySome: 7.5, ioSome: 2 }),
    ),
  ];
  const rows = rowsOf(s);
  assert.ok(Math.abs(rows[0].headroom! - 0.1) < 1e-9);
  assert.equal(rows[0].headroomOf, 'pids');
  assert.equal(rows[1].headroom, null, 'nothing limited: no headroom figure');
  assert.equal(rows[2].worstPressure, 7.5);
  assert.deepEqual(
    sortRows(rows, 'headroom').map((r) => r.id),
    ['a', 'b', 'c'],
  );
  assert.deepEqual(
    sortRows(rows, 'pressure').map((r) => r.id),
    ['c', 'a', 'b'],
  );
});

test('ring: bounded, oldest first; capacity covers ten minutes at the watch rate', () => {
  const r = new SampleRing<number>(3);
  for (let i = 1; i <= 5; i++) r.push(i);
  assert.deepEqual(r.toArray(), [3, 4, 5]);
  assert.equal(r.last(), 5);
  for (const ms of [250, 1000, 2000, 5000, 60_000])
    assert.ok(historyCapacity(ms) * ms >= 10 * 60_000 || historyCapacity(ms) === 7200, `${ms}`);
});

test('a sample from a snapshot carries limits, usage and PSI as the snapshot has them', () => {
  const snap = sampleSnapshot();
  const c = snap.containers[0];
  c.cgroup!.pressure = { cpu: { some: { avg10: 1.5, avg60: 0, avg300: 0, total: 1 }, full: null }, memory: null, io: null };
  const s = sampleOf(snap, 42).containers.find((x) => x.id === c.id)!;
  assert.equal(s.memoryLimit, c.cgroup!.memory!.limitBytes);
  assert.equal(s.cpuLimitCores, c.cgroup!.cpu!.quotaUs! / c.cgroup!.cpu!.periodUs!);
  assert.equal(s.cpuSome, 1.5);
  assert.equal(s.cpuFull, null);
});
