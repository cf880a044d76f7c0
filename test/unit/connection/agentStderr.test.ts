/**
 * Picking the agent's "stuck" and "watch" lines out of its stderr: pure logic over chunks as a pipe
 * delivers them (a line split across chunks, several lines in one, noise around them).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AgentStderr } from '../../../src/connection/agentStderr';

describe('agent stderr lines', () => {
  it('keeps the latest stuck line, even split across chunks, with when it came', () => {
    const e = new AgentStderr();
    e.feed('nodescope-agent 0.1.0 ready (pid 7)\nnodescope-agent: stuck 5 s: reading mount', 100);
    assert.equal(e.latestOf('stuck'), null, 'not before the line ends');
    e.feed(' table of pid 123\nnodescope-agent: stuck 10 s: reading mount table of pid 123\n', 200);
    assert.deepEqual(e.latestOf('stuck'), { kind: 'stuck', text: 'stuck 10 s: reading mount table of pid 123', at: 200 });
    assert.equal(e.latestOf('watch'), null);
  });

  it('tells watch failures apart, tells listeners, and ignores every other line', () => {
    const e = new AgentStderr();
    const heard: string[] = [];
    e.onNote((n) => heard.push(`${n.kind}: ${n.text}`));
    e.feed(
      'nodescope-agent: snapshot: TypeError: x\r\nsudo: something\nnodescope-agent: watch: snapshot failed: Invalid string length\r\n',
    );
    e.feed('  nodescope-agent: stuck 1 s: indented, so not the agent speaking\n');
    assert.deepEqual(heard, ['watch: watch: snapshot failed: Invalid string length']);
  });

  it('keeps a line one short printable line: control characters replaced, long text cut', () => {
    const e = new AgentStderr();
    e.feed(`nodescope-agent: stuck 3 s: opening /proc/9/root/a\x1b[31mb\x07 ${'x'.repeat(1000)}\n`);
    const text = e.latestOf('stuck')!.text;
    assert.ok(text.startsWith('stuck 3 s: opening /proc/9/root/a?[31mb? x'), text);
    assert.equal(text.length, 300);
  });

  it('a runaway line without a newline does not grow without bound', () => {
    const e = new AgentStderr();
    for (let i = 0; i < 100; i++) e.feed('y'.repeat(100_000));
    assert.ok((e as unknown as { partial: string }).partial.length <= 4096);
  });
});
