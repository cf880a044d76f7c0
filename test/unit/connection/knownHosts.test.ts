import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fingerprint, patternsMatch, verifyHostKey } from '../../../src/connection/knownHosts';

/** A fake ed25519 public key blob: string "ssh-ed25519" then 32 bytes. */
function blob(seed: number): Buffer {
  const type = Buffer.from('ssh-ed25519');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  const klen = Buffer.alloc(4);
  klen.writeUInt32BE(32);
  return Buffer.concat([len, type, klen, Buffer.alloc(32, seed)]);
}

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
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-kh-'));
    const file = path.join(dir, 'known_hosts');
    fs.writeFileSync(file, [`# comment`, `n1 ssh-ed25519 ${blob(1).toString('base64')}`, `@revoked * ssh-ed25519 ${blob(9).toString('base64')}`, `@cert-authority * ssh-ed25519 ${blob(3).toString('base64')}`].join('\n'));
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
});
