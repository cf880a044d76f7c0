/**
 * Reading only what was checked first (issue 8): a FIFO, a socket and a device are never opened for
 * reading, a regular file is read up to a byte cap counted as read, links are followed only when asked.
 * Real kernel objects made here (mkfifo, a listening Unix socket, /dev/zero, symlinks), and the engine
 * state reader run in a child with a time bound, because the failure being guarded against is a hang.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { openChecked, readRegularFile } from '../../../server/sys/openChecked';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-openchecked-'));
const server = net.createServer();
after(() => {
  server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const isFile = (st: fs.Stats): string | null => (st.isFile() ? null : 'no');

describe('openChecked and readRegularFile', () => {
  it('refuses a FIFO, a socket and a device without opening them, and reads a regular file', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo')]);
    await new Promise<void>((r) => server.listen(path.join(dir, 'sock'), r));
    fs.writeFileSync(path.join(dir, 'file'), 'content');
    // With no writer, open(O_RDONLY) of the FIFO would block this test for ever: returning at all is the check.
    assert.deepEqual(readRegularFile(path.join(dir, 'fifo'), 100), { why: 'not a regular file: a FIFO' });
    assert.deepEqual(readRegularFile(path.join(dir, 'sock'), 100), { why: 'not a regular file: a socket' });
    // /dev/zero never ends: a device read would only stop at the cap; it is refused before.
    assert.deepEqual(readRegularFile('/dev/zero', 100), { why: 'not a regular file: a device' });
    assert.deepEqual(readRegularFile(path.join(dir, 'file'), 100), { data: Buffer.from('content') });
    assert.deepEqual(readRegularFile(path.join(dir, 'none'), 100), { why: 'ENOENT' });
  });

  it('counts the cap in bytes read, not in the size fstat reports', () => {
    fs.writeFileSync(path.join(dir, 'big'), 'x'.repeat(101));
    assert.deepEqual(readRegularFile(path.join(dir, 'big'), 100), { why: 'larger than 100 bytes' });
    assert.equal((readRegularFile(path.join(dir, 'big'), 101) as { data: Buffer }).data.length, 101);
    // /proc/self/status reports size 0 and is not empty: "regular" to fstat, read by what comes.
    const status = readRegularFile('/proc/self/status', 1 << 20) as { data: Buffer };
    assert.equal(fs.statSync('/proc/self/status').size, 0);
    assert.match(status.data.toString(), /^Name:/);
  });

  it('checks a symlink itself unless told to follow it, and the fd it gives is the file checked', () => {
    fs.symlinkSync('file', path.join(dir, 'link'));
    assert.deepEqual(openChecked(path.join(dir, 'link'), isFile, false), { why: 'no' });
    const opened = openChecked(path.join(dir, 'link'), isFile, true);
    assert.ok('fd' in opened);
    try {
      assert.equal(fs.fstatSync(opened.fd).ino, fs.statSync(path.join(dir, 'file')).ino);
      assert.equal(fs.readFileSync(opened.fd, 'utf8'), 'content');
    } finally {
      fs.closeSync(opened.fd);
    }
  });

  it("engine state files: a FIFO where dockerd's data root points does not hang the reader", () => {
    // Any process named dockerd sets the data root; a FIFO at one of its state files used to block the snapshot.
    const code = `const { readText } = require('./server/discover/engines/stateFiles'); console.log(JSON.stringify(readText(${JSON.stringify(path.join(dir, 'fifo'))})));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], {
      cwd: path.resolve(__dirname, '..', '..', '..'),
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    assert.equal(r.signal, null, 'returned');
    assert.equal(r.stdout.trim(), 'null', r.stderr);
  });
});
