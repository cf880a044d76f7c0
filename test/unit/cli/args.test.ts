import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRelativeDir, parseArgs, usageOf, USAGE, UsageError } from '../../../src/cli/args';
import { VERBS } from '../../../src/cli/verbOptions';

describe('nodescope argument parsing', () => {
  it('parses global SSH flags before the command', () => {
    const p = parseArgs([
      '--ssh',
      'root@n1:2222',
      '--identity',
      'k1',
      '--identity',
      'k2',
      '--jump',
      'j@h',
      '--accept-new-host-key',
      'snapshot',
      '--json',
    ]);
    assert.deepEqual(p.global, { ssh: 'root@n1:2222', identity: ['k1', 'k2'], knownHosts: [], jump: ['j@h'], acceptNewHostKey: true });
    assert.deepEqual(p.command, { name: 'snapshot', json: true });
  });

  it('splits enter at -- and keeps the command whole', () => {
    assert.deepEqual(parseArgs(['enter', 'c1', '--pid', '42', '--', 'sh', '-c', 'echo --json']).command, {
      name: 'enter',
      container: 'c1',
      pid: 42,
      shell: undefined,
      user: undefined,
      command: ['sh', '-c', 'echo --json'],
    });
    assert.deepEqual(parseArgs(['enter', 'c1', '--user', 'app', '--shell', '/bin/ash']).command, {
      name: 'enter',
      container: 'c1',
      pid: undefined,
      shell: '/bin/ash',
      user: 'app',
      command: [],
    });
  });

  it("parses limit flags into the agent's units; max lifts a limit", () => {
    assert.deepEqual(parseArgs(['limit', 'web', '--memory', '256m', '--pids', 'max', '--cpus', '0.5', '--yes']).command, {
      name: 'limit',
      container: 'web',
      limits: { memoryBytes: 256 * 2 ** 20, pidsMax: null, cpus: 0.5 },
      yes: true,
      dryRun: false,
      json: false,
    });
    assert.deepEqual(parseArgs(['limit', 'web', '--pids', '20', '--dry-run', '--json']).command, {
      name: 'limit',
      container: 'web',
      limits: { pidsMax: 20 },
      yes: false,
      dryRun: true,
      json: true,
    });
  });

  it('parses launch options and the command after --; stop takes a name', () => {
    assert.deepEqual(
      parseArgs([
        'launch',
        'web',
        '--name',
        'w2',
        '--memory',
        '64m',
        '--read-only',
        '--tmpfs',
        '/tmp:16m',
        '--tmpfs',
        '/run:1m',
        '--',
        'sh',
        '-c',
        'sleep 9',
      ]).command,
      {
        name: 'launch',
        from: 'web',
        yes: false,
        dryRun: false,
        json: false,
        command: ['sh', '-c', 'sleep 9'],
        options: {
          name: 'w2',
          memoryBytes: 64 * 2 ** 20,
          readOnly: true,
          tmpfs: [
            { path: '/tmp', sizeBytes: 16 * 2 ** 20 },
            { path: '/run', sizeBytes: 2 ** 20 },
          ],
        },
      },
    );
    assert.deepEqual(parseArgs(['stop', 'w2', '--yes']).command, { name: 'stop', container: 'w2', yes: true, json: false });
  });

  it('rejects what a person could get wrong, with what to fix, naming the verb it was for', () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [[], undefined, /^no command given$/],
      [['frob'], undefined, /^unknown command "frob"$/],
      [['--ssh'], undefined, /^--ssh needs a value$/],
      [['--known-hosts', 'f', 'snapshot'], undefined, /go with --ssh/],
      [['help', 'frob'], undefined, /^help takes one command \(snapshot, layer, whence/],
      [['layer'], 'layer', /^missing DIR$/],
      [['whence'], 'whence', /^missing CONTAINER and PATH$/],
      [['whence', 'c'], 'whence', /^missing PATH$/],
      [['limit', 'web'], 'limit', /^give at least one of --memory, --pids, --cpus$/],
      [['limit', '--memory', '1g'], 'limit', /^missing CONTAINER$/],
      [['limit', 'web', '--memory', 'lots'], 'limit', /^--memory: "lots" is not a size/],
      [['limit', 'web', '--pids', '0'], 'limit', /^--pids: a limit of 0 stops everything/],
      [['limit', 'web', '--pids', '-1'], 'limit', /^--pids: -1 does not mean "no limit" here: give max$/],
      [['limit', 'web', '--memory', '-1'], 'limit', /^--memory: -1 does not mean "no limit" here: give max$/],
      [['limit', 'web', '--cpus', '-1'], 'limit', /^--cpus: -1 does not mean "no limit" here: give max$/],
      [['launch', 'web', '--pids', '-1'], 'launch', /^--pids: -1 does not mean "no limit" here: give max$/],
      [['limit', 'web', '--cpus'], 'limit', /^--cpus needs a value$/],
      [['limit', 'web', '--cpus', '1', '--yes', '--dry-run'], 'limit', /^--dry-run or --yes, not both$/],
      [['snapshot', '--yes'], 'snapshot', /^unknown option --yes$/],
      [['launch'], 'launch', /^missing CONTAINER$/],
      [['launch', 'web', '--tmpfs', 'tmp'], 'launch', /^--tmpfs takes PATH:SIZE with an absolute PATH/],
      [['launch', 'web', '--tmpfs', '/tmp:max'], 'launch', /^--tmpfs \/tmp: give a size, not max$/],
      [['limit', 'web', '--read-only'], 'limit', /^unknown option --read-only$/],
      [['stop', 'a', 'b'], 'stop', /^unexpected argument "b"$/],
      [['stop', 'a', '--', 'x'], 'stop', /^takes no command after --$/],
      [['layer', 'a', 'b'], 'layer', /^unexpected argument "b"$/],
      [['whence', 'c', 'etc/passwd'], 'whence', /must be absolute/],
      [['snapshot', '--jsn'], 'snapshot', /^unknown option --jsn$/],
      [['enter', 'c', '--json'], 'enter', /^--json is not an option here/],
      [['enter', 'c', '--user'], 'enter', /^--user needs a value$/],
      [['enter', 'c', '--shell', 'bash'], 'enter', /--shell must be an absolute path in the container, got "bash"/],
      [['enter', 'c', '--shell', '/bin/sh', '--', 'id'], 'enter', /--shell or a command after --, not both/],
      [['pagecache', 'c', '--top'], 'pagecache', /^--top needs a whole number$/],
      [['snapshot', '--', 'x'], 'snapshot', /takes no command after --/],
      [['--ssh', 'n1', 'layer', 'diff'], 'layer', /DIR must be absolute with --ssh, got "diff"/],
      [['--ssh', 'n1', 'pagecache', './diff'], 'pagecache', /DIR must be absolute with --ssh/],
    ];
    for (const [argv, verb, msg] of cases) {
      assert.throws(
        () => parseArgs(argv),
        (e: unknown) => e instanceof UsageError && e.command === verb && msg.test(e.message),
        argv.join(' '),
      );
    }
  });

  it('answers --help and --version anywhere among the global flags', () => {
    assert.deepEqual(parseArgs(['--help']).command, { name: 'help' });
    assert.equal(parseArgs(['--ssh', 'h', '--version']).command.name, 'version');
  });

  it('takes --help (or -h, or help VERB) on every verb, whatever else is on the line, and shows that verb alone', () => {
    for (const verb of ['snapshot', 'layer', 'whence', 'diff', 'pagecache', 'enter', 'limit', 'launch', 'stop']) {
      assert.deepEqual(parseArgs([verb, '--help']).command, { name: 'help', topic: verb });
      assert.deepEqual(parseArgs(['help', verb]).command, { name: 'help', topic: verb });
      const own = usageOf(verb);
      assert.match(own, new RegExp(`^usage: nodescope \\[global options\\]\n  ${verb} `));
      for (const other of ['whence CONTAINER', 'stop NAME', 'snapshot [--json]'].filter((o) => !o.startsWith(verb)))
        assert.ok(!own.includes(other), `${verb}'s usage shows ${other}`);
    }
    assert.deepEqual(parseArgs(['whence', 'x', '-h']).command, { name: 'help', topic: 'whence' });
    assert.deepEqual(
      parseArgs(['limit', 'web', '--pids', 'lots', '--help']).command,
      { name: 'help', topic: 'limit' },
      'before a bad value is looked at',
    );
    assert.equal(parseArgs(['enter', 'c', '--', 'ls', '--help']).command.name, 'enter', "after -- it is the command's own");
    assert.match(usageOf('limit'), /max \(or unlimited\) lifts a limit/);
    assert.equal(usageOf(), USAGE);
  });

  it('tells a pagecache directory from a container by its slash', () => {
    assert.deepEqual(['web', 'a1b2', '/var/lib/x', './x', 'x/y', '.', '..'].map(isRelativeDir), [
      false,
      false,
      false,
      true,
      true,
      true,
      true,
    ]);
    assert.deepEqual(parseArgs(['--ssh', 'n1', 'pagecache', 'web']).command, { name: 'pagecache', target: 'web', json: false, top: 10 });
  });
});

describe('the option tables the parser and the usage are made from', () => {
  it('shows every option a verb takes in its usage, except those kept out of it, and parses each', () => {
    for (const [verb, def] of Object.entries(VERBS)) {
      const own = usageOf(verb);
      for (const o of def.options) {
        const typed = `--${o.name}${o.value === undefined ? '' : ` ${o.value}`}`;
        assert.equal(own.includes(typed), !o.hidden, `${verb}: ${typed}`);
        // Any option is known to the parser: an error, if any, is about its value or the line, never "unknown option".
        const argv = [verb, ...def.args.map((a) => (a === 'PATH' ? '/p' : a === 'namespaces|layers' ? 'layers' : 'x')), `--${o.name}`];
        try {
          parseArgs(argv);
        } catch (e) {
          assert.ok(e instanceof UsageError && !/unknown option/.test(e.message), `${argv.join(' ')}: ${(e as Error).message}`);
        }
      }
    }
  });

  it('takes a value after = as well as the next word (parseArgs), and refuses one on a switch', () => {
    assert.deepEqual(parseArgs(['--ssh=root@n1', 'limit', 'web', '--cpus=2', '--yes']), {
      global: { ssh: 'root@n1', identity: [], knownHosts: [], jump: [], acceptNewHostKey: false },
      command: { name: 'limit', container: 'web', limits: { cpus: 2 }, yes: true, dryRun: false, json: false },
    });
    assert.throws(() => parseArgs(['snapshot', '--json=yes']), /^UsageError: --json takes no value$|--json takes no value/);
    assert.throws(() => parseArgs(['snapshot', '-']), /unknown option -$/);
  });
});
