/**
 * `nodescope graph namespaces|layers [--format json|dot]` as parsed (pure): the forms it takes and the
 * one-line usage errors it gives. The command run for real: test/integration/graph.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, usageOf, UsageError } from '../../../src/cli/args';

const usageError = (argv: string[], message: string) =>
  assert.throws(
    () => parseArgs(argv),
    (err: unknown) => err instanceof UsageError && err.command === 'graph' && err.message === message,
  );

describe('nodescope graph arguments', () => {
  it('takes namespaces or layers, JSON by default, dot on request', () => {
    assert.deepEqual(parseArgs(['graph', 'namespaces']).command, { name: 'graph', of: 'namespaces', format: 'json' });
    assert.deepEqual(parseArgs(['graph', 'layers', '--format', 'dot']).command, { name: 'graph', of: 'layers', format: 'dot' });
    assert.deepEqual(parseArgs(['graph', '--format', 'json', 'layers']).command, { name: 'graph', of: 'layers', format: 'json' });
    assert.deepEqual(parseArgs(['graph', 'layers', '--json']).command, { name: 'graph', of: 'layers', format: 'json' });
    assert.deepEqual(parseArgs(['--ssh', 'root@node', 'graph', 'namespaces']).global.ssh, 'root@node');
  });

  it('refuses what it cannot print, in one line naming the verb', () => {
    usageError(['graph'], 'missing namespaces or layers');
    usageError(['graph', 'pids'], 'no graph "pids": namespaces or layers');
    usageError(['graph', 'layers', '--format', 'svg'], '--format is json or dot, got "svg"');
    usageError(['graph', 'layers', '--format'], '--format needs a value');
    usageError(['graph', 'layers', '--json', '--format', 'dot'], '--json or --format dot, not both');
    usageError(['graph', 'layers', 'namespaces'], 'unexpected argument "namespaces"');
    usageError(['graph', 'layers', '--top', '3'], 'unknown option --top');
  });

  it('has its own usage, listed with the others', () => {
    assert.deepEqual(parseArgs(['graph', '--help']).command, { name: 'help', topic: 'graph' });
    assert.match(usageOf('graph'), /graph namespaces\|layers \[--format json\|dot\]/);
    assert.match(usageOf(), /graph namespaces\|layers/);
  });
});
