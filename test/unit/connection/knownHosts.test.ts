import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fingerprint, hostKeyAlgorithmsFor, patternsMatch, verifyHostKey } from '../../../src/connection/knownHosts';

/** A fake public key blob: the type string then 32 bytes (enough for matching, which compares blobs). */
function blob(seed: number, keyType = 'ssh-ed25519'): Buffer {
  const type = Buffer.from(keyType);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  const klen = Buffer.alloc(4);
  klen.writeUInt32BE(32);
  return Buffer.concat([len, type, klen, Buffer.alloc(32, seed)]);
}

const made: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-kh-'));
  made.push(dir);
  return dir;
}
after(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('known_hosts matching', () => {
  it('plain names, [host]:port, wildcards and negation', () => {
    assert.ok(patternsMatch('a,b,[10.0.0.1]:2222', '[10.0.0.1]:2222'));
    assert.ok(!patternsMatch('[10.0.0.1]:2222', '10.0.0.1'));
    assert.ok(patternsMatch('*.prod', 'db.prod'));
    assert.ok(!patternsMatch('*.prod,!db.prod', 'db.prod'));
    assert.ok(patternsMatch('node?', 'node7'));
  });

  it('hashed entries are HMAC-SHA1 of the name with the salt', () => {
    const salt = randomBytes(20);
    const entry = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update('[127.0.0.1]:2201').digest('base64')}`;
    assert.ok(patternsMatch(entry, '[127.0.0.1]:2201'));
    assert.ok(!patternsMatch(entry, '[127.0.0.1]:2202'));
  });

  it('known, unknown, changed (same type) and revoked', () => {
    const dir = tempDir();
    const file = path.join(dir, 'known_hosts');
    fs.writeFileSync(
      file,
      [
        `# comment`,
        `n1 ssh-ed25519 ${blob(1).toString('base64')}`,
        `@revoked * ssh-ed25519 ${blob(9).toString('base64')}`,
        `@cert-authority * ssh-ed25519 ${blob(3).toString('base64')}`,
      ].join('\n'),
    );
    assert.equal(verifyHostKey([file], 'n1', 22, blob(1)).status, 'known');
    const changed = verifyHostKey([file], 'n1', 22, blob(2));
    assert.equal(changed.status, 'changed');
    assert.equal(changed.status === 'changed' && changed.knownFingerprint, fingerprint(blob(1)));
    assert.equal(verifyHostKey([file], 'n2', 22, blob(1)).status, 'unknown');
    assert.equal(verifyHostKey([file], 'n1', 2222, blob(1)).status, 'unknown', 'another port is another host');
    assert.equal(verifyHostKey([file], 'n1', 22, blob(9)).status, 'revoked');
    assert.equal(verifyHostKey([file], 'n5', 22, blob(3)).status, 'unknown', 'a CA key is not a host key');
    assert.match(fingerprint(blob(1)), /^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('a host known only by a key of another type is changed, not unknown; @cert-authority is noted', () => {
    const dir = tempDir();
    const file = path.join(dir, 'known_hosts');
    const rsa = blob(4, 'ssh-rsa');
    fs.writeFileSync(
      file,
      [`[n1]:2200 ssh-rsa ${rsa.toString('base64')}`, `@cert-authority *.prod ssh-ed25519 ${blob(3).toString('base64')}`].join('\n'),
    );
    const v = verifyHostKey([file], 'n1', 2200, blob(1));
    assert.equal(v.status, 'changed');
    assert.equal(v.status === 'changed' && v.knownFingerprint, fingerprint(rsa));
    const ca = verifyHostKey([file], 'db.prod', 22, blob(1));
    assert.deepEqual(ca, { status: 'unknown', certAuthority: `${file}:2` });
    assert.deepEqual(verifyHostKey([file], 'db.test', 22, blob(1)), { status: 'unknown' });
  });

  it("offers the known key types first, like OpenSSH, and ssh2's defaults when nothing is known", () => {
    const dir = tempDir();
    const file = path.join(dir, 'known_hosts');
    fs.writeFileSync(
      file,
      [
        `n1 ssh-rsa ${blob(4, 'ssh-rsa').toString('base64')}`,
        `n1,n2 ecdsa-sha2-nistp256 ${blob(5, 'ecdsa-sha2-nistp256').toString('base64')}`,
      ].join('\n'),
    );
    const algos = hostKeyAlgorithmsFor([file], 'n1', 22)!;
    assert.deepEqual(algos.slice(0, 4), ['ecdsa-sha2-nistp256', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    assert.ok(algos.includes('ssh-ed25519'), 'other types are still offered after the known ones');
    assert.equal(hostKeyAlgorithmsFor([file], 'n3', 22), undefined);
    assert.equal(hostKeyAlgorithmsFor([path.join(dir, 'absent')], 'n1', 22), undefined);
  });
});
