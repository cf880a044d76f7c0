/** The launch options that shape a container (--share-ns, --hostname, --cap-*, --user-ns, --env) as typed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { OptionError, takeContainerOptions } from '../../../src/cli/containerOptions';

const take = (line: string): ReturnType<typeof takeContainerOptions> => takeContainerOptions(line.split(' '), 'launch');

describe('launch options that shape a container', () => {
  it('reads share-ns, hostname, capabilities (repeated or comma-separated), user-ns and env', () => {
    const { options, rest } = take(
      '--share-ns web-1:net,pid --hostname dbg --cap-drop NET_RAW,chown --cap-add sys_ptrace --cap-add CAP_NET_ADMIN --user-ns --env A=1 --env B=x=y -- sh',
    );
    assert.deepEqual(options, {
      shareNs: { container: 'web-1', types: ['net', 'pid'] },
      hostname: 'dbg',
      capDrop: ['NET_RAW', 'chown'],
      capAdd: ['sys_ptrace', 'CAP_NET_ADMIN'],
      userNs: true,
      env: ['A=1', 'B=x=y'],
    });
    assert.deepEqual(rest, ['--', 'sh']);
  });

  it('says what is wrong with a share-ns or env in one line naming the flag', () => {
    assert.throws(
      () => take('--share-ns web'),
      (e: Error) => e instanceof OptionError && /--share-ns takes CONTAINER:TYPES/.test(e.message),
    );
    assert.throws(() => take('--share-ns web:mnt'), /some of net,pid,ipc,uts/);
    assert.throws(() => take('--env NOVALUE'), /--env takes KEY=VALUE/);
    assert.throws(() => take('--hostname'), /--hostname needs a value/);
  });

  it('limit does not take them', () => {
    assert.deepEqual(takeContainerOptions(['--hostname', 'x'], 'limit').rest, ['--hostname', 'x']);
  });
});
