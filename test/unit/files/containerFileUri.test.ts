// A container file's URI: people read /<container name>/<path>; the node and the container ride in the
// authority and come back exactly, whatever characters their ids hold. Pure logic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerFileParts, nameSegment, parseContainerFile } from '../../../src/files/containerFileUri';

const ID = '296c25a44ba3371fb6650b3e76dce543438776907116bcfe41fea4a7c64740a7';

test('the path a person sees is the container name and the file, never the 64-digit id', () => {
  const { authority, path } = containerFileParts('local', ID, 'nodescope-rig-limited', '/etc/passwd');
  assert.equal(path, '/nodescope-rig-limited/etc/passwd');
  assert.ok(!path.includes(ID.slice(0, 12)));
  assert.match(authority, /^[0-9a-f]+\.[0-9a-f]+$/, 'an authority of hex digits: no case, no : or @ to misread');
});

test('node and container come back exactly, from the root to a deep file', () => {
  const node = 'ssh:ssh -p 2222 -J bastion Admin@10.0.0.5';
  for (const [file, back] of [
    ['/', '/'],
    ['/etc/passwd', '/etc/passwd'],
    ['etc/x', '/etc/x'],
    ['/a b/ü/#?', '/a b/ü/#?'],
  ]) {
    const { authority, path } = containerFileParts(node, 'Try-1', 'web', file);
    assert.deepEqual(parseContainerFile(authority, path), { nodeId: node, containerId: 'Try-1', file: back }, file);
  }
  const { authority } = containerFileParts(node, 'Try-1', 'web', '/');
  assert.deepEqual(
    parseContainerFile(authority.toUpperCase(), '/web/etc'),
    { nodeId: node, containerId: 'Try-1', file: '/etc' },
    'an authority compared without case still parses',
  );
});

test('above the container root: the URI root, where only the folder named after the container is', () => {
  const { authority } = containerFileParts('local', ID, 'web', '/');
  assert.equal(parseContainerFile(authority, '/')?.file, undefined);
  assert.equal(parseContainerFile(authority, '/web')?.file, '/');
});

test('a name that is not one path segment is made into one; foreign URIs are refused', () => {
  assert.equal(nameSegment('default/nginx'), 'default∕nginx');
  assert.equal(nameSegment('..'), '_');
  assert.equal(parseContainerFile('node', '/local/x/etc'), undefined, 'the old shape, or anything else');
  assert.equal(parseContainerFile('6c6f63616c', '/x'), undefined, 'a node without a container');
});
