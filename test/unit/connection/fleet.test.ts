/**
 * The fleet's two pure parts: which Host names a pattern picks from the SSH config, and fan-out with a
 * bound (never more at once than the limit, every result in the targets' order, a failure kept to its node).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fanOut, hostsMatching } from '../../../src/connection/fleet';
import { readSshConfig } from '../../../src/connection/sshConfig';

describe('fleet', () => {
  it('a Host pattern picks concrete Host names, with commas and negation, in config order', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-fleetcfg-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'config'),
        ['Host web-1 web-2', 'Host db-1', 'Host web-old', 'Host web-*', '  User ops', 'Host *', '  Port 22'].join('\n'),
      );
      const cfg = readSshConfig([path.join(dir, 'config')]);
      assert.deepEqual(hostsMatching(cfg, 'web-*'), ['web-1', 'web-2', 'web-old']);
      assert.deepEqual(hostsMatching(cfg, 'web-*, !web-old'), ['web-1', 'web-2']);
      assert.deepEqual(hostsMatching(cfg, '*-1'), ['web-1', 'db-1']);
      assert.deepEqual(hostsMatching(cfg, 'cache-*'), []);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs at most `limit` at once, keeps the order, and a failure is only its own', async () => {
    let running = 0;
    let most = 0;
    const targets = Array.from({ length: 11 }, (_, i) => `n${i}`);
    const results = await fanOut(targets, 3, async (t) => {
      running++;
      most = Math.max(most, running);
      // Later targets finish first: the order of results must not follow the order of finishing.
      await new Promise((r) => setTimeout(r, 30 - Number(t.slice(1)) * 2));
      running--;
      if (t === 'n4') throw new Error('unreachable\nsecond line');
      return t.toUpperCase();
    });
    assert.equal(most, 3);
    assert.deepEqual(
      results.map((r) => r.target),
      targets,
    );
    assert.deepEqual(results[4], { target: 'n4', error: 'unreachable' });
    assert.deepEqual(results[10], { target: 'n10', value: 'N10' });
    assert.equal(results.filter((r) => 'error' in r).length, 1);
  });

  it('an empty fleet answers at once', async () => {
    assert.deepEqual(await fanOut([], 8, async () => 1), []);
  });
});
