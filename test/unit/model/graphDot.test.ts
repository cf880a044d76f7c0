/**
 * DOT output (pure logic): escaping of hostile names and the digraph's structure. Graphviz itself parses
 * the output of the real rig in test/integration/graph.test.ts.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dotId, dotLabel, toDot } from '../../../src/model/graph/dot';
import type { Graph } from '../../../src/model/graph/graphModel';

describe('DOT output', () => {
  it('escapes quotes, backslashes, entities and controls in labels, so a name is drawn as it is spelled', () => {
    assert.equal(dotLabel('plain'), '"plain"');
    assert.equal(dotLabel('a"b'), '"a\\"b"');
    // A backslash is doubled: `\N` would otherwise draw the node's id, `\l` end a line.
    assert.equal(dotLabel('x\\N\\l'), '"x\\\\N\\\\l"');
    assert.equal(dotLabel('ends\\'), '"ends\\\\"');
    assert.equal(dotLabel('&lt;'), '"&amp;lt;"');
    // A newline or ESC in a name shows as its escape (escapeControls), never as a line break or a colour.
    assert.equal(dotLabel('x\n\u001b[31mFAKE'), '"x\\\\n\\\\x1b[31mFAKE"');
    assert.equal(dotLabel('a\u202eb'), '"a\\\\u202eb"');
  });

  it('writes ids one to one: a control character and its spelled-out escape stay two ids', () => {
    assert.equal(dotId('container:abc'), '"container:abc"');
    assert.notEqual(dotId('a\nb'), dotId('a\\nb'));
    assert.equal(dotId('a\nb'), '"a\\nb"');
    assert.equal(dotId('a\\nb'), '"a\\\\nb"');
    assert.equal(dotId('q"'), '"q\\""');
    assert.doesNotMatch(dotId('x\u001b\u0007'), /[\u0000-\u001f]/);
  });

  it('is a digraph with one statement per node and per edge, marks in the label, styles by kind', () => {
    const g: Graph = {
      nodes: [
        { id: 'container:c1', kind: 'container', label: 'web "1"' },
        {
          id: 'ns:net:5',
          kind: 'namespace',
          label: 'net:[5]',
          type: 'net',
          inode: 5,
          hidden: true,
          holders: [
            { kind: 'fd', pid: 42, fd: 3 },
            { kind: 'bindmount', path: '/run/netns/x' },
          ],
        },
        { id: 'ns:user:1', kind: 'namespace', label: 'user:[1]', type: 'user', inode: 1, host: true, shared: 2 },
      ],
      edges: [
        { source: 'container:c1', target: 'ns:net:5', kind: 'member' },
        { source: 'ns:net:5', target: 'ns:user:1', kind: 'owner' },
      ],
    };
    const lines = toDot(g, 'namespaces').split('\n');
    assert.equal(lines[0], 'digraph "namespaces" {');
    assert.equal(lines.at(-2), '}');
    assert.equal(lines.at(-1), '');
    assert.ok(lines.includes('  "container:c1" [label="web \\"1\\"", shape=box];'));
    assert.ok(
      lines.includes(
        '  "ns:net:5" [label="net:[5]\\nhidden\\nheld by fd 3 of pid 42\\nheld by /run/netns/x", shape=ellipse, style="dashed"];',
      ),
    );
    assert.ok(lines.includes('  "ns:user:1" [label="user:[1]\\nhost, shared by 2", shape=ellipse, style="bold", peripheries=2];'));
    assert.ok(lines.includes('  "container:c1" -> "ns:net:5";'));
    assert.ok(lines.includes('  "ns:net:5" -> "ns:user:1" [style=dashed, label="owner"];'));
    assert.equal(lines.filter((l) => l.includes('->')).length, 2);
  });
});
