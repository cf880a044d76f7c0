// mountinfo parsing on lines in the format of man 5 proc / Documentation/filesystems/proc.rst
// (the first fixture is the kernel documentation's own example line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Problem } from '../../../server/protocol';
import { parseMountinfo, readMountinfoOf, readWholeLines, unescapeMountField } from '../../../server/discover/mountinfo';

test("the kernel documentation's example line, field by field", () => {
  const [m] = parseMountinfo('36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue\n');
  assert.deepEqual(m, {
    mountId: 36,
    parentId: 35,
    major: 98,
    minor: 0,
    root: '/mnt1',
    mountPoint: '/mnt2',
    options: 'rw,noatime',
    optional: ['master:1'],
    fstype: 'ext3',
    source: '/dev/root',
    superOptions: 'rw,errors=continue',
  });
});

test('zero, one or several optional fields before the separator', () => {
  const ms = parseMountinfo(
    [
      '22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
      '25 22 0:23 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755',
      '300 25 0:40 / /mnt/x rw shared:12 master:3 propagate_from:3 unbindable - tmpfs none rw',
    ].join('\n'),
  );
  assert.deepEqual(
    ms.map((m) => m.optional),
    [[], ['shared:9'], ['shared:12', 'master:3', 'propagate_from:3', 'unbindable']],
  );
  assert.deepEqual(
    ms.map((m) => m.fstype),
    ['proc', 'tmpfs', 'tmpfs'],
  );
  assert.deepEqual(
    ms.map((m) => m.source),
    ['proc', 'tmpfs', 'none'],
  );
});

test('octal escapes in root, mount point and source are undone; superblock options stay raw', () => {
  const [m] = parseMountinfo(
    '401 29 0:52 /a\\040dir /mnt/with\\040space\\011tab\\012nl\\134bs rw,relatime - overlay over\\072lay rw,lowerdir=/l/a\\072b:/l/c,upperdir=/u\n',
  );
  assert.equal(m.root, '/a dir');
  assert.equal(m.mountPoint, '/mnt/with space\ttab\nnl\\bs');
  assert.equal(m.source, 'over:lay');
  // The escaped colon must stay distinguishable from the lowerdir separator for the overlay parser.
  assert.equal(m.superOptions, 'rw,lowerdir=/l/a\\072b:/l/c,upperdir=/u');
});

test('an nsfs bind mount keeps its namespace link as root', () => {
  const [m] = parseMountinfo('612 27 0:4 net:[4026532841] /run/netns/blue rw shared:5 - nsfs nsfs rw\n');
  assert.equal(m.fstype, 'nsfs');
  assert.equal(m.root, 'net:[4026532841]');
  assert.equal(m.mountPoint, '/run/netns/blue');
});

test('a source literally named "-" (mount -t tmpfs - /mnt) is not taken for the separator', () => {
  const [m] = parseMountinfo('50 1 0:30 / /mnt rw shared:1 - tmpfs - rw,size=1024k\n');
  assert.deepEqual(m.optional, ['shared:1']);
  assert.equal(m.fstype, 'tmpfs');
  assert.equal(m.source, '-');
  assert.equal(m.superOptions, 'rw,size=1024k');
});

test('a line without the separator is an error that quotes the line', () => {
  assert.throws(() => parseMountinfo('36 35 98:0 /mnt1 /mnt2 rw ext3 /dev/root rw\n'), /malformed mountinfo line: "36 35/);
});

test('unescapeMountField leaves text without escapes and lone backslashes alone', () => {
  assert.equal(unescapeMountField('/plain/path'), '/plain/path');
  assert.equal(unescapeMountField('a\\x'), 'a\\x');
  assert.equal(unescapeMountField('\\134040'), '\\040'); // an escaped backslash followed by digits: one pass only
});

test('a mount table longer than the cap is cut after its last whole line there, and said', () => {
  // This process's own table, as the kernel writes it; the expected lines are read here whole.
  const lines = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean);
  assert.ok(lines.length >= 3, 'this machine has a few mounts');
  const max = Buffer.byteLength(lines.slice(0, 2).join('\n')) + 1 + 5; // two lines and a part of the third
  const problems: Problem[] = [];
  const mounts = readMountinfoOf(process.pid, problems, max)!;
  assert.deepEqual(mounts, parseMountinfo(lines.slice(0, 2).join('\n') + '\n'));
  assert.deepEqual(problems, [
    {
      source: `/proc/${process.pid}/mountinfo`,
      message: `mount table of pid ${process.pid} cut after 2 entries (${max} B read): the mounts after them are not listed`,
    },
  ]);
  const whole: Problem[] = [];
  assert.equal(readMountinfoOf(process.pid, whole)!.length, parseMountinfo(lines.join('\n')).length);
  assert.deepEqual(whole, []);
});

test('readWholeLines: a file of exactly the cap is whole, one byte more is cut at a line', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wholelines-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'f');
  fs.writeFileSync(file, 'one\ntwo\n');
  assert.deepEqual(readWholeLines(file, 8), { text: 'one\ntwo\n', cut: false });
  assert.deepEqual(readWholeLines(file, 7), { text: 'one\n', cut: true });
  assert.deepEqual(readWholeLines(file, 3), { text: '', cut: true });
});
