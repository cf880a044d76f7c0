/**
 * Add Node's Host block written into an existing SSH config: the file's own text kept byte for byte, the
 * block indented as the file's blocks are, and what ssh itself (`ssh -G`) reads from the result.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSshConfig, resolveHost } from '../../../src/connection/sshConfig';
import { hostBlockFor, withHostBlock } from '../../../src/connection/sshConfigWrite';
import { probes, skipUnlessReal } from '../../support/real';
import { sshDashG } from '../../support/sshDashG';

const handKept = fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'sshConfig', 'comments.conf'), 'utf8');

function written(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-sshwrite-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'config');
  fs.writeFileSync(file, text);
  return file;
}

describe('Add Node writes a Host block into the SSH config', () => {
  const d = { host: '10.0.0.5', user: 'root', port: 2222, identityFile: '/keys/with space/id', jump: 'bastion' };
  const result = withHostBlock(handKept, 'n1', d);

  it("keeps the file's text, comments and blank lines byte for byte, and indents the block as the file does (tabs)", () => {
    assert.ok(result.startsWith(handKept), 'the existing text is a prefix of the new file');
    assert.equal(
      result.slice(handKept.length),
      '\nHost n1\n\tHostName 10.0.0.5\n\tUser root\n\tPort 2222\n\tIdentityFile "/keys/with space/id"\n\tProxyJump bastion\n',
    );
  });

  it('starts a file that has no text, and ends a last line that had no newline', () => {
    assert.equal(withHostBlock('', 'n2', { host: 'h' }), 'Host n2\n  HostName h\n');
    assert.equal(withHostBlock('Host a\n    User u', 'n3', { host: 'h' }), 'Host a\n    User u\n\nHost n3\n    HostName h\n');
  });

  it('refuses an alias ssh would read as a pattern or as two names', () => {
    for (const alias of ['a*', 'two words', '!x', '']) assert.throws(() => hostBlockFor(alias, { host: 'h' }), /cannot be a Host alias/);
  });

  it('Nodescope reads the new block back, quoted key path included', () => {
    const t = resolveHost(readSshConfig([written(result)]), 'n1');
    assert.deepEqual([t.host, t.port, t.user, t.identityFiles], ['10.0.0.5', 2222, 'root', ['/keys/with space/id']]);
    assert.equal(t.keepaliveIntervalMs, 30_000, 'Host * after it still applies');
  });

  it('ssh reads the written file as meant', { skip: skipUnlessReal(probes.command('ssh')) }, () => {
    const g = sshDashG(written(result), 'n1');
    assert.deepEqual(
      [g.get('hostname'), g.get('port'), g.get('user'), g.get('identityfile'), g.get('proxyjump'), g.get('serveraliveinterval')],
      ['10.0.0.5', '2222', 'root', '/keys/with space/id', 'bastion', '30'],
    );
  });
});
