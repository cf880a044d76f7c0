/**
 * Finding a shell inside a container root without ever leaving it: links are resolved against the
 * container's root, never the host's. A real directory tree stands in for /proc/PID/root; the host
 * (where this runs) has /bin/sh and /usr/bin, so a lookup that escaped would find them and fail the test.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { resolvesInside } from '../../../server/act/enter';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-h4-root-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function put(rel: string, mode = 0o755): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), '#!\n', { mode });
}
function link(rel: string, target: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.symlinkSync(target, path.join(root, rel));
}

describe('shell lookup inside a container root', () => {
  put('bin/busybox');
  put('etc/motd', 0o644);
  link('bin/sh', 'busybox'); // busybox images: a relative link within the root
  link('usr/bin/bash', '/bin/busybox'); // absolute: means the container's /bin/busybox
  link('bin/bash', '../../../../../usr/bin/bash'); // climbs: clamps at the container root, lands on usr/bin/bash above
  link('bin/out', '/../../../../usr/bin/env'); // would name the host's env if it escaped
  link('bin/loop', 'loop2');
  link('bin/loop2', 'loop');
  link('lib', 'usr/lib'); // a directory link on the way
  put('usr/lib/exec/tool');

  it('follows links only within the root', () => {
    assert.equal(resolvesInside(root, '/bin/busybox'), true);
    assert.equal(resolvesInside(root, '/bin/sh'), true);
    assert.equal(resolvesInside(root, '/usr/bin/bash'), true);
    assert.equal(resolvesInside(root, '/bin/bash'), true);
    assert.equal(resolvesInside(root, '/lib/exec/tool'), true);
  });

  it('never finds what only the host has', () => {
    assert.ok(fs.existsSync('/usr/bin/env'), 'the host has /usr/bin/env (the check below would prove nothing otherwise)');
    assert.equal(resolvesInside(root, '/usr/bin/env'), false);
    // A relative link that climbs out of the root from a temp dir lands on a host file that exists.
    const hostOnly = path.join(os.tmpdir(), `nodescope-h4-hostonly-${process.pid}`);
    fs.writeFileSync(hostOnly, '', { mode: 0o755 });
    link('bin/out2', `../../../../../../..${hostOnly}`);
    try {
      assert.ok(fs.existsSync(path.join(root, 'bin', 'out2')), 'followed by the host, the link does reach the file');
      assert.equal(resolvesInside(root, '/bin/out2'), false);
    } finally {
      fs.rmSync(hostOnly);
    }
    assert.equal(resolvesInside(root, '/bin/out'), false);
  });

  it('refuses link loops, directories and files that cannot run', () => {
    assert.equal(resolvesInside(root, '/bin/loop'), false);
    assert.equal(resolvesInside(root, '/bin'), false);
    assert.equal(resolvesInside(root, '/etc/motd'), false);
  });
});
