/**
 * What the agent cut is shown as cut: a command line read to 4 KiB ends in "…" in the tree, and the CLI's
 * snapshot says which fields of a container were cut and marks a namespace's bind-mount list that goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanState, ItemOf } from '../../../src/views/tree/item';
import { sectionChildren } from '../../../src/views/tree/section';
import { SnapshotIndex } from '../../../src/views/tree/snapshotIndex';
import { renderSnapshot } from '../../../src/cli/render';
import { boundContainer, boundNamespace } from '../../../server/discover/bounded';
import { sampleSnapshot } from '../cli/sampleSnapshot';

test('the tree ends a cut command line with "…", and leaves a whole one as it is', () => {
  const s = sampleSnapshot();
  const c = s.containers.find((x) => x.initPid === 100)!;
  const cut = 'x'.repeat(4096);
  s.processes.push({ ...s.processes[0], pid: 101, cmdline: cut, truncated: true });
  c.pids.push(101);
  const items = sectionChildren('n', new SnapshotIndex(s), c, 'processes', new Map<string, ScanState>()) as ItemOf<'process'>[];
  assert.equal(items.find((i) => i.pid === 101)!.description, `pid 1 inside · ${cut}…`);
  assert.equal(items.find((i) => i.pid === 100)!.description, 'pid 1 inside · sleep 300');
});

test('the CLI says what of a container was cut, and that a bind-mount list goes on', () => {
  const s = sampleSnapshot();
  const c = s.containers[0];
  c.name = 'n'.repeat(5000);
  boundContainer(c);
  const n = s.namespaces[0];
  n.processCount = 0;
  n.bindMounts = Array.from({ length: 100 }, (_, i) => `/run/netns/n${i}`);
  boundNamespace(n);
  const text = renderSnapshot(s);
  assert.match(text, /\n {6}cut: cut to 4096 bytes a field or 256 labels: name \(5000 bytes\)\n/);
  assert.match(text, /bind mount \/run\/netns\/n63, …\n/);
  assert.doesNotMatch(renderSnapshot(sampleSnapshot()), /cut:|, …/);
});
