// `nodescope debug` and `enter --ns`: what the command line makes of them, and what it refuses before
// anything reaches a node.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../../src/cli/args';

const refusal = (argv: string[]): string => {
  try {
    parseArgs(argv);
    return 'parsed';
  } catch (err) {
    assert.ok(err instanceof UsageError);
    return err.message;
  }
};

describe('debug and enter --ns on the command line', () => {
  it('debug takes a container, --pid, --toolbox and a command after --', () => {
    assert.deepEqual(parseArgs(['debug', 'web', '--toolbox', '/opt/bb', '--', 'ls', '-la', '/']).command, {
      name: 'debug',
      container: 'web',
      pid: undefined,
      toolbox: '/opt/bb',
      command: ['ls', '-la', '/'],
    });
    assert.deepEqual(parseArgs(['debug', 'web', '--pid', '7']).command, {
      name: 'debug',
      container: 'web',
      pid: 7,
      toolbox: undefined,
      command: [],
    });
  });

  it('debug refuses a relative toolbox, --json, a missing container', () => {
    assert.match(refusal(['debug', 'web', '--toolbox', 'busybox']), /--toolbox must be an absolute path on the node, got "busybox"/);
    assert.match(refusal(['debug', 'web', '--json']), /--json is not an option here/);
    assert.match(refusal(['debug']), /missing CONTAINER/);
  });

  it('enter --ns takes known types separated by commas, and nothing else', () => {
    const cmd = parseArgs(['enter', 'web', '--ns', 'net,pid', '--', 'ip', 'addr']).command;
    assert.ok(cmd.name === 'enter');
    assert.deepEqual(cmd.namespaces, ['net', 'pid']);
    assert.equal('namespaces' in parseArgs(['enter', 'web']).command, false, 'absent: all of them, as before');
    assert.match(refusal(['enter', 'web', '--ns', 'net,,pid']), /--ns takes namespace types separated by commas .*got ""/);
    assert.match(refusal(['enter', 'web', '--ns', 'network']), /got "network"/);
  });
});
