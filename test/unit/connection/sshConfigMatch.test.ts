/**
 * Match blocks and Include read with the ssh-config library, checked against OpenSSH's own reading of the
 * same file (`ssh -G -F FILE alias`), not against Nodescope's output.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readSshConfig, resolveHost } from '../../../src/connection/sshConfig';
import { probes, skipUnlessReal } from '../../support/real';
import { sshDashG } from '../../support/sshDashG';

const fixtures = path.join(__dirname, '..', '..', 'fixtures', 'sshConfig');

/** The fixture with its placeholders filled in, in a directory of its own. */
function fixtureConfig(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-sshmatch-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.cpSync(fixtures, dir, { recursive: true });
  const file = path.join(dir, 'match.conf');
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('@DIR@', dir).replaceAll('@LOCALUSER@', os.userInfo().username));
  return file;
}

describe('Match and Include, as ssh -G reads them', { skip: skipUnlessReal(probes.command('ssh')) }, () => {
  const file = fixtureConfig();
  const cfg = readSshConfig([file]);

  for (const alias of ['web', 'db', 'cache', 'other']) {
    it(`${alias}: host, port, user and timeouts as ssh -G`, () => {
      const ssh = sshDashG(file, alias);
      const t = resolveHost(cfg, alias);
      assert.deepEqual(
        {
          host: t.host,
          port: String(t.port),
          user: t.user,
          alive: String((t.keepaliveIntervalMs ?? 0) / 1000),
          timeout: String((t.connectTimeoutMs ?? 0) / 1000),
        },
        {
          host: ssh.get('hostname'),
          port: ssh.get('port'),
          user: ssh.get('user'),
          alive: ssh.get('serveraliveinterval'),
          timeout: ssh.get('connecttimeout'),
        },
      );
    });
  }

  it('says which Match lines it skipped and why, one line each', () => {
    assert.equal(cfg.unsupported.length, 1, cfg.unsupported.join('\n'));
    assert.match(cfg.unsupported[0], /match\.conf: "Match exec "exit 1"" skipped: Nodescope does not evaluate "exec"$/);
  });
});
