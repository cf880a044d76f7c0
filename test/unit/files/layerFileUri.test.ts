// A layer view's URI: the view (one layer alone, or merged up to it) rides in the authority next to the node
// and the container and comes back exactly; people read it in the first path segment. And what the marks
// say as a decoration. Pure logic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFileParts, parseContainerFile, switchView } from '../../../src/files/containerFileUri';
import { decorationOf } from '../../../src/files/layerMarkWords';

const NODE = 'ssh:ssh -p 2222 -J bastion Admin@10.0.0.5';
const ID = '296c25a44ba3371fb6650b3e76dce543438776907116bcfe41fea4a7c64740a7';

test('a layer view comes back exactly, and its path says which view to a person', () => {
  for (const view of [
    { layer: 0, merged: true },
    { layer: 3, merged: false },
    { layer: 12, merged: true },
  ]) {
    const { authority, path } = containerFileParts(NODE, ID, 'web', '/etc/app/conf', view);
    assert.deepEqual(
      parseContainerFile(authority, path),
      { nodeId: NODE, containerId: ID, file: '/etc/app/conf', view },
      JSON.stringify(view),
    );
    assert.deepEqual(parseContainerFile(authority.toUpperCase(), path)?.view, view, 'an authority compared without case');
  }
  assert.equal(containerFileParts(NODE, ID, 'web', '/etc/passwd', { layer: 2, merged: true }).path, '/web (up to layer 2)/etc/passwd');
  assert.equal(containerFileParts(NODE, ID, 'web', '/etc/passwd', { layer: 2, merged: false }).path, '/web (layer 2)/etc/passwd');
  assert.equal(
    parseContainerFile(containerFileParts(NODE, ID, 'web', '/').authority, '/web/x')?.view,
    undefined,
    "the container's own view has none",
  );
});

test('the view is taken from the authority only: the name segment cannot forge one', () => {
  const { authority } = containerFileParts('local', ID, 'web', '/');
  assert.equal(parseContainerFile(authority, '/web (layer 3)/etc')?.view, undefined);
  const up = containerFileParts('local', ID, 'web', '/', { layer: 1, merged: true });
  assert.deepEqual(parseContainerFile(up.authority, '/web (layer 9)/etc'), {
    nodeId: 'local',
    containerId: ID,
    file: '/etc',
    view: { layer: 1, merged: true },
  });
  assert.equal(parseContainerFile(up.authority, '/')?.file, undefined, 'above the root');
});

test('anything but a plain layer number is not a view: the URI is refused', () => {
  const base = containerFileParts('local', ID, 'web', '/').authority;
  for (const bad of ['layer', 'upto', 'layer-1', 'layer01', 'layer1.5', 'upto99999', 'lower2', 'layer 2', 'layer2x']) {
    assert.equal(parseContainerFile(`${base}.${bad}`, '/web/etc'), undefined, bad);
  }
  assert.equal(parseContainerFile(`${base}.layer2.upto3`, '/web/etc'), undefined, 'two views');
});

test('switching views keeps node, container, name and file; only the view changes', () => {
  const from = containerFileParts(NODE, ID, 'web (1)', '/etc/app/conf', { layer: 0, merged: false });
  const below = switchView(from.authority, from.path, { layer: 3, merged: true });
  assert.deepEqual(below, containerFileParts(NODE, ID, 'web (1)', '/etc/app/conf', { layer: 3, merged: true }));
  const own = containerFileParts(NODE, ID, 'web', '/a b/ü');
  assert.deepEqual(
    switchView(own.authority, own.path, { layer: 1, merged: false }),
    containerFileParts(NODE, ID, 'web', '/a b/ü', { layer: 1, merged: false }),
  );
  assert.deepEqual(switchView(below.authority, below.path, undefined), containerFileParts(NODE, ID, 'web (1)', '/etc/app/conf'));
  assert.equal(switchView('nothex', '/x', undefined), undefined);
});

test('decorations: marks first, else the serving layer in a merged view; badges never over two characters', () => {
  const merged = { layer: 0, merged: true };
  assert.deepEqual(decorationOf({ layer: 4 }, merged), { badge: '4', tooltip: 'from layer 4' });
  assert.equal(decorationOf({ layer: 4 }, { layer: 4, merged: false }), undefined, "a layer's own view: every entry is its own");
  assert.equal(decorationOf({ layer: 3, whiteout: true }, { layer: 3, merged: false })?.badge, 'W');
  assert.match(decorationOf({ layer: 3, whiteout: true }, { layer: 3, merged: false })!.tooltip, /^whiteout: layer 3 deletes/);
  const opaque = decorationOf({ layer: 2, opaque: true }, merged)!;
  assert.equal(opaque.badge, 'O');
  assert.match(opaque.tooltip, /opaque directory.* · from layer 2$/);
  assert.equal(decorationOf({ layer: 0, copiedUp: true }, merged)?.badge, 'C');
  assert.deepEqual(decorationOf({ layer: 120 }, merged), { badge: '', tooltip: 'from layer 120' });
  for (const marks of [{ layer: 99 }, { layer: 7, opaque: true as const, copiedUp: true as const }])
    assert.ok(decorationOf(marks, merged)!.badge.length <= 2);
});
