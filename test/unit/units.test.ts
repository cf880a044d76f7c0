import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatLimit, parseLimitBytes, parseLimitCount, parseLimitCpus } from '../../server/units';

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
    assert.equal(formatLimit('cpus', 1 / 3), '0.333 CPU');
    assert.equal(formatLimit('cpus', null), 'unlimited');
  });
});
