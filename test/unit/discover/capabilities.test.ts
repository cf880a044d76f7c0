// Capability decoding against masks whose meaning is fixed by linux/capability.h and by moby's
// oci/caps/defaults.go; the Docker default mask 0x00000000a80425fb is what `docker run` gives a
// container's CapBnd, and 000001fffeffffff is a root shell here with CAP_SYS_RESOURCE (bit 24) dropped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capabilitySets, decodeCapabilities, DOCKER_DEFAULT_CAPS } from '../../../server/discover/capabilities';

test('the Docker default mask decodes to exactly the Docker default set', () => {
  const names = decodeCapabilities('00000000a80425fb');
  assert.equal(names.length, 14);
  assert.deepEqual([...names].sort(), [...DOCKER_DEFAULT_CAPS].sort());
});

test('names come out in bit order, first and last known bits included', () => {
  assert.deepEqual(decodeCapabilities('0000000000000001'), ['CAP_CHOWN']);
  assert.deepEqual(decodeCapabilities('0000000000200000'), ['CAP_SYS_ADMIN']); // bit 21
  assert.deepEqual(decodeCapabilities('0000010000000000'), ['CAP_CHECKPOINT_RESTORE']); // bit 40
  assert.deepEqual(decodeCapabilities('0000000000003000'), ['CAP_NET_ADMIN', 'CAP_NET_RAW']); // bits 12, 13
});

test('a full 0..40 mask with one bit dropped misses exactly that capability', () => {
  const names = decodeCapabilities('000001fffeffffff');
  assert.equal(names.length, 40);
  assert.ok(!names.includes('CAP_SYS_RESOURCE'));
  assert.equal(names[0], 'CAP_CHOWN');
  assert.equal(names.at(-1), 'CAP_CHECKPOINT_RESTORE');
});

test('bits a newer kernel defines stay numbers, not guessed names', () => {
  assert.deepEqual(decodeCapabilities('0000020000000001'), ['CAP_CHOWN', 41]);
  assert.deepEqual(decodeCapabilities('8000000000000000'), [63]);
});

test('empty masks decode to nothing; short masks are read as hex numbers', () => {
  assert.deepEqual(decodeCapabilities('0000000000000000'), []);
  assert.deepEqual(decodeCapabilities('20'), ['CAP_KILL']);
});

test('text that is not a 64-bit hex mask is refused, not decoded to an empty set', () => {
  for (const bad of ['', 'xyz', '0x20', '00000000000000000', ' 20']) {
    assert.throws(() => decodeCapabilities(bad), /not a capability mask/, JSON.stringify(bad));
  }
});

test('capabilitySets maps each status mask to its own set and keeps the raw masks', () => {
  const sets = capabilitySets({
    capInh: '0000000000000000',
    capPrm: '00000000a80425fb',
    capEff: '0000000000000400',
    capBnd: '000001ffffffffff',
    capAmb: '0000000000002000',
  });
  assert.deepEqual(sets.inheritable, []);
  assert.equal(sets.permitted.length, 14);
  assert.deepEqual(sets.effective, ['CAP_NET_BIND_SERVICE']);
  assert.equal(sets.bounding.length, 41);
  assert.deepEqual(sets.ambient, ['CAP_NET_RAW']);
  assert.deepEqual(sets.masks, {
    inheritable: '0000000000000000',
    permitted: '00000000a80425fb',
    effective: '0000000000000400',
    bounding: '000001ffffffffff',
    ambient: '0000000000002000',
  });
});
