import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes, formatBytesAtLeast, formatLimit, parseLimitBytes, parseLimitCount, parseLimitCpus, plural } from '../../server/units';

describe('limits as people write them', () => {
  it('reads sizes with binary multiples, as docker --memory does', () => {
    assert.equal(parseLimitBytes('64m'), 64 * 2 ** 20);
    assert.equal(parseLimitBytes('1.5G'), 1.5 * 2 ** 30);
    assert.equal(parseLimitBytes('512KiB'), 512 * 1024);
    assert.equal(parseLimitBytes('300mb'), 300 * 2 ** 20);
    assert.equal(parseLimitBytes(' 1048576 '), 1048576);
    assert.equal(parseLimitBytes('max'), null);
    assert.equal(parseLimitBytes('unlimited'), null);
  });

  it('refuses what is not a limit, saying what would be', () => {
    assert.throws(() => parseLimitBytes('64 MB of RAM'), /not a size: give bytes or a number with k, m, g or t/);
    assert.throws(() => parseLimitBytes('0'), /a limit of 0 stops everything/);
    assert.throws(() => parseLimitBytes('-5m'), /not a size/);
    assert.throws(() => parseLimitBytes('99999999t'), /too large/);
    assert.throws(() => parseLimitCount('2.5'), /not a whole number of tasks \(processes and threads\)/);
    assert.throws(() => parseLimitCount('0'), /a limit of 0 stops everything/);
    assert.throws(() => parseLimitCpus('half'), /not a number of CPUs/);
    assert.throws(() => parseLimitCpus('0.0'), /a limit of 0 stops everything/);
  });

  it("takes max or unlimited for no limit, and refuses -1 (v1 and docker's word for it) saying to give max", () => {
    for (const parse of [parseLimitBytes, parseLimitCount, parseLimitCpus]) {
      assert.equal(parse('max'), null);
      assert.equal(parse('Unlimited'), null);
      assert.throws(
        () => parse('-1'),
        (e: Error) => e.message === '-1 does not mean "no limit" here: give max',
      );
      assert.throws(() => parse('none'), /not a/);
      assert.throws(() => parse('-2'), /not a/);
    }
  });

  it('reads process counts and CPUs', () => {
    assert.equal(parseLimitCount('50'), 50);
    assert.equal(parseLimitCount('max'), null);
    assert.equal(parseLimitCpus('0.5'), 0.5);
    assert.equal(parseLimitCpus('.25'), 0.25);
    assert.equal(parseLimitCpus('2'), 2);
    assert.equal(parseLimitCpus('MAX'), null);
  });

  it('writes each unit back for people', () => {
    assert.equal(formatLimit('bytes', 32 * 2 ** 20), '32.0 MiB');
    assert.equal(formatLimit('pids', 20), '20 tasks');
    assert.equal(formatLimit('pids', 1), '1 task');
    assert.equal(formatLimit('cpus', 1 / 3), '0.333 CPU');
    assert.equal(formatLimit('cpus', null), 'unlimited');
  });

  it('writes "at least" sizes rounded up, so the figure shown is never below the one needed', () => {
    assert.equal(formatBytesAtLeast(323584), '316 KiB');
    assert.equal(formatBytes(323585), '316 KiB');
    assert.equal(formatBytesAtLeast(323585), '317 KiB');
    assert.equal(formatBytesAtLeast(10 * 2 ** 20), '10.0 MiB');
    assert.equal(formatBytesAtLeast(10 * 2 ** 20 + 1), '10.1 MiB');
    // What is shown can be typed back as it is (--memory "317 KiB") and is enough.
    for (const n of [1, 1023, 1025, 99 * 1024 + 1, 5e9 + 7])
      assert.ok((parseLimitBytes(formatBytesAtLeast(n)) ?? 0) >= n, `${n}: ${formatBytesAtLeast(n)}`);
  });

  it('counts in English', () => {
    assert.deepEqual(
      [0, 1, 2].map((n) => plural(n, 'file')),
      ['0 files', '1 file', '2 files'],
    );
    assert.equal(plural(1, 'process', 'processes'), '1 process');
    assert.equal(plural(3, 'process', 'processes'), '3 processes');
  });
});
