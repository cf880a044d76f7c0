// The toolbox check's ELF reading (server/act/debug.ts elfInterpreter): a static binary has no loader, a
// dynamic one names it, anything else is not ELF; on real files of this machine and on made-up headers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { elfInterpreter } from '../../../server/act/debug';

const interpOf = (file: string): string | undefined => {
  const fd = fs.openSync(file, 'r');
  try {
    return elfInterpreter(fd);
  } finally {
    fs.closeSync(fd);
  }
};

describe('elfInterpreter', () => {
  it("names a dynamic binary's loader (this Node.js) and none for a static busybox", (t) => {
    assert.match(interpOf(process.execPath) ?? '', /^\/lib.*\/ld-linux.*\.so\.\d$/);
    if (!fs.existsSync('/bin/busybox')) return t.skip('no /bin/busybox (busybox-static)');
    assert.equal(interpOf('/bin/busybox'), '', 'Debian busybox-static has no PT_INTERP');
  });

  it('says not ELF for a script, an empty file, a header whose program headers are out of bounds', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-elf-'));
    try {
      const write = (name: string, data: Buffer | string): string => {
        fs.writeFileSync(path.join(dir, name), data);
        return path.join(dir, name);
      };
      assert.equal(interpOf(write('script', '#!/bin/sh\necho hi\n')), undefined);
      assert.equal(interpOf(write('empty', '')), undefined);
      const head = Buffer.alloc(64);
      head.write('\x7fELF', 0, 'latin1');
      head[4] = 2;
      head[5] = 1;
      head.writeBigUInt64LE(64n, 32);
      head.writeUInt16LE(56, 54);
      head.writeUInt16LE(60000, 56);
      assert.equal(interpOf(write('huge-phnum', head)), undefined, 'more program headers than any binary has');
      head.writeUInt16LE(2, 56);
      assert.equal(interpOf(write('cut', head)), undefined, 'program headers past the end of the file');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
