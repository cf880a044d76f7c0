import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelativeDir, parseArgs, UsageError } from '../../../src/cli/args';

describe('nodescope argument parsing', () => {
  it('parses global SSH flags before the command', () => {
    const p = parseArgs(['--ssh', 'root@n1:2222', '--identity', 'k1', '--identity', 'k2', '--jump', 'j@h', '--accept-new-host-key', 'snapshot', '--json']);
    assert.deepEqual(p.global, { ssh: 'root@n1:2222', identity: ['k1', 'k2'], knownHosts: [], jump: ['j@h'], acceptNewHostKey: true });
    assert.deepEqual(p.command, { name: 'snapshot', json: true });
  });

  it('splits enter at -- and keeps the command whole', () => {
    assert.deepEqual(parseArgs(['enter', 'c1', '--pid', '42', '--', 'sh', '-c', 'echo --json']).command, {
      name: 'enter', container: 'c1', pid: 42, shell: undefined, user: undefined, command: ['sh', '-c', 'echo --json'],
    });
    assert.deepEqual(parseArgs(['enter', 'c1', '--user', 'app', '--shell', '/bin/ash']).command, {
      name: 'enter', container: 'c1', pid: undefined, shell: '/bin/ash', user: 'app', command: [],
    });
  });

  it('parses limit flags into the agent\'s units; max lifts a limit', () => {
    assert.deepEqual(parseArgs(['limit', 'web', '--memory', '256m', '--pids', 'max', '--cpus', '0.5', '--yes']).command, {
      name: 'limit', container: 'web', limits: { memoryBytes: 256 * 2 ** 20, pidsMax: null, cpus: 0.5 }, yes: true, dryRun: false, json: false,
    });
    assert.deepEqual(parseArgs(['limit', 'web', '--pids', '20', '--dry-run', '--json']).command, {
      name: 'limit', container: 'web', limits: { pidsMax: 20 }, yes: false, dryRun: true, json: true,
    });
  });

  it('parses launch options and the command after --; stop takes a name', () => {
    assert.deepEqual(parseArgs(['launch', 'web', '--name', 'w2', '--memory', '64m', '--read-only', '--tmpfs', '/tmp:16m', '--tmpfs', '/run:1m', '--', 'sh', '-c', 'sleep 9']).command, {
      name: 'launch', from: 'web', yes: false, dryRun: false, json: false, command: ['sh', '-c', 'sleep 9'],
      options: { name: 'w2', memoryBytes: 64 * 2 ** 20, readOnly: true, tmpfs: [{ path: '/tmp', sizeBytes: 16 * 2 ** 20 }, { path: '/run', sizeBytes: 2 ** 20 }] },
    });
    assert.deepEqual(parseArgs(['stop', 'w2', '--yes']).command, { name: 'stop', container: 'w2', yes: true, json: false });
  });

  it('rejects what a person could get wrong, with what to fix', () => {
    const cases: [string[], RegExp][] = [
      [[], /no command given/],
      [['frob'], /unknown command "frob"/],
      [['--ssh'], /--ssh needs a value/],
      [['--known-hosts', 'f', 'snapshot'], /go with --ssh/],
      [['layer'], /layer needs a directory/],
      [['limit', 'web'], /at least one of --memory, --pids, --cpus/],
      [['limit', '--memory', '1g'], /limit needs a container/],
      [['limit', 'web', '--memory', 'lots'], /--memory: "lots" is not a size/],
      [['limit', 'web', '--pids', '0'], /--pids: a limit of 0 stops everything/],
      [['limit', 'web', '--cpus'], /--cpus needs a value/],
      [['limit', 'web', '--cpus', '1', '--yes', '--dry-run'], /--dry-run or --yes, not both/],
      [['snapshot', '--yes'], /unknown option --yes for snapshot/],
      [['launch'], /launch needs a container to launch from/],
      [['launch', 'web', '--tmpfs', 'tmp'], /--tmpfs takes PATH:SIZE with an absolute PATH/],
      [['launch', 'web', '--tmpfs', '/tmp:max'], /--tmpfs \/tmp: give a size, not max/],
      [['limit', 'web', '--read-only'], /unknown option --read-only for limit/],
      [['stop', 'a', 'b'], /stop: unexpected argument "b"/],
      [['stop', 'a', '--', 'x'], /stop takes no command after --/],
      [['layer', 'a', 'b'], /unexpected argument "b"/],
      [['whence', 'c', 'etc/passwd'], /must be absolute/],
      [['snapshot', '--jsn'], /unknown option --jsn for snapshot/],
      [['enter', 'c', '--json'], /enter has no --json/],
      [['enter', 'c', '--user'], /--user needs a value/],
      [['enter', 'c', '--shell', 'bash'], /--shell must be an absolute path in the container, got "bash"/],
      [['enter', 'c', '--shell', '/bin/sh', '--', 'id'], /--shell or a command after --, not both/],
      [['pagecache', 'c', '--top'], /--top needs a whole number/],
      [['snapshot', '--', 'x'], /takes no command after --/],
      [['--ssh', 'n1', 'layer', 'diff'], /DIR must be absolute with --ssh, got "diff"/],
      [['--ssh', 'n1', 'pagecache', './diff'], /DIR must be absolute with --ssh/],
    ];
    for (const [argv, msg] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && msg.test((e as Error).message), argv.join(' '));
  });

  it('answers --help and --version anywhere among the global flags', () => {
    assert.equal(parseArgs(['--help']).command.name, 'help');
    assert.equal(parseArgs(['--ssh', 'h', '--version']).command.name, 'version');
  });

  it('tells a pagecache directory from a container by its slash', () => {
    assert.deepEqual(['web', 'a1b2', '/var/lib/x', './x', 'x/y', '.', '..'].map(isRelativeDir), [false, false, false, true, true, true, true]);
    assert.deepEqual(parseArgs(['--ssh', 'n1', 'pagecache', 'web']).command, { name: 'pagecache', target: 'web', json: false, top: 10 });
  });
});
