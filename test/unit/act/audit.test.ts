/**
 * The audit log on real files: what someone who is not root could plant at its path (a symlink, a FIFO,
 * a hard link, a file or directory of their own, a directory anyone may write) is never written through,
 * the target stays as it was, and the reason is said on stderr with the record. Needs root (chown).
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { recordAction, type AuditRecord } from '../../../server/act/audit';
import { probes, skipUnlessReal } from '../../support/real';

const record: AuditRecord = { action: 'stop', container: { id: 'c1', name: 'web' }, outcome: 'stopped' };
const NOBODY = 65534;

/** recordAction with the log at `log`; returns what it said on stderr. */
function record_(log: string): string {
  const saved = process.env.NODESCOPE_AUDIT_LOG;
  const write = process.stderr.write;
  let said = '';
  process.env.NODESCOPE_AUDIT_LOG = log;
  process.stderr.write = (chunk: string) => ((said += chunk), true);
  try {
    recordAction(record, { version: 'test' });
  } finally {
    process.stderr.write = write;
    if (saved === undefined) delete process.env.NODESCOPE_AUDIT_LOG;
    else process.env.NODESCOPE_AUDIT_LOG = saved;
  }
  return said;
}

describe('the audit log, where someone else may have planted something', { skip: skipUnlessReal(probes.root) }, () => {
  let dir = '';
  let logDir = '';
  let log = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-audit-'));
    logDir = path.join(dir, 'log');
    log = path.join(logDir, 'audit.log');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("writes one line to a log of its own making: root's, mode 0600, in a directory of root's", () => {
    assert.equal(record_(log), '');
    const st = fs.statSync(log);
    assert.deepEqual([st.uid, st.mode & 0o777], [0, 0o600]);
    assert.equal(record_(log), '');
    const lines = fs
      .readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.action, l.outcome]),
      [
        ['stop', 'stopped'],
        ['stop', 'stopped'],
      ],
    );
  });

  it("does not follow a symlink planted at the log's name: the target is untouched", () => {
    fs.mkdirSync(logDir, { mode: 0o750 });
    const target = path.join(dir, 'shadow');
    fs.writeFileSync(target, 'root:*:19000:0:99999:7:::\n', { mode: 0o640 });
    fs.symlinkSync(target, log);
    const said = record_(log);
    assert.equal(fs.readFileSync(target, 'utf8'), 'root:*:19000:0:99999:7:::\n');
    assert.match(
      said,
      new RegExp(`^nodescope-agent: audit log ${log} not written \\(${log} is a symlink; not followed\\): \\{.*"action":"stop"`),
    );
  });

  it('does not follow a symlink planted for the directory', () => {
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere, { mode: 0o700 });
    fs.symlinkSync(elsewhere, logDir);
    assert.match(record_(log), /not written \(.*\/log is not a directory \(a symlink is not followed\)\)/);
    assert.deepEqual(fs.readdirSync(elsewhere), []);
  });

  it("refuses a log file that is not root's, not regular, or another file's hard link", () => {
    fs.mkdirSync(logDir, { mode: 0o750 });
    fs.writeFileSync(log, 'theirs\n');
    fs.chownSync(log, NOBODY, NOBODY);
    assert.match(record_(log), /audit\.log is owned by uid 65534, not root\)/);
    assert.equal(fs.readFileSync(log, 'utf8'), 'theirs\n');

    fs.rmSync(log);
    execFileSync('mkfifo', ['-m', '0600', log]);
    const started = Date.now();
    assert.match(record_(log), /audit\.log is a FIFO, not a file\)/);
    assert.ok(Date.now() - started < 2000, 'a FIFO without a reader did not block');

    fs.rmSync(log);
    const other = path.join(logDir, 'other');
    fs.writeFileSync(other, 'kept\n', { mode: 0o600 });
    fs.linkSync(other, log);
    assert.match(record_(log), /audit\.log has 2 hard links; it may be another file's\)/);
    assert.equal(fs.readFileSync(other, 'utf8'), 'kept\n');
  });

  it("refuses a directory that is not root's, or that group or others may write", () => {
    fs.mkdirSync(logDir, { mode: 0o750 });
    fs.chownSync(logDir, NOBODY, NOBODY);
    assert.match(record_(log), /\/log is owned by uid 65534, not root\)/);
    assert.equal(fs.existsSync(log), false);

    fs.chownSync(logDir, 0, 0);
    fs.chmodSync(logDir, 0o1777);
    assert.match(record_(log), /\/log is writable by its group \(mode 1777\)\)/);
    fs.chmodSync(logDir, 0o757);
    assert.match(record_(log), /\/log is writable by others \(mode 0757\)\)/);
    assert.equal(fs.existsSync(log), false);
  });
});
