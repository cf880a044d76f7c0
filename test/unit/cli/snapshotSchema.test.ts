/**
 * docs/snapshot.schema.json must be strict enough to catch a wrong document, not only accept a right one:
 * a complete sample validates, and each kind of mistake (wrong type, missing field, unknown field, value
 * outside an enum) is rejected at the path where it is.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { sampleSnapshot } from './sampleSnapshot';

const schema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'snapshot.schema.json'), 'utf8'));
const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);

describe('the snapshot JSON Schema', () => {
  it('accepts a complete snapshot', () => {
    assert.ok(validate(sampleSnapshot()), JSON.stringify(validate.errors?.slice(0, 3)));
  });

  it('rejects each kind of mistake where it is', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each case breaks the snapshot's types on purpose
    const cases: [string, (s: any) => void, RegExp][] = [
      ['a limit as a string', (s) => (s.containers[0].cgroup.memory.limitBytes = '64M'), /\/containers\/0\/cgroup\/memory\/limitBytes/],
      ['a missing hostname', (s) => delete s.host.hostname, /^\/host$/],
      ['an unknown field', (s) => (s.containers[1].extra = 1), /^\/containers\/1$/],
      ['a runtime no one has', (s) => (s.containers[0].runtime = 'rkt'), /\/containers\/0\/runtime/],
      ['a seccomp mode no kernel has', (s) => (s.containers[0].seccomp = 'on'), /\/containers\/0\/seccomp/],
      ['a namespace type no kernel has', (s) => (s.namespaces[0].type = 'sound'), /\/namespaces\/0\/type/],
      ['a layer role no overlay has', (s) => (s.containers[0].rootfs.layers[0].role = 'middle'), /\/rootfs\/layers\/0\/role/],
      ['another schema version', (s) => (s.schemaVersion = 2), /^\/schemaVersion$/],
      ['a null where an array must be', (s) => (s.layers[0].usedBy = null), /\/layers\/0\/usedBy/],
    ];
    for (const [what, spoil, where] of cases) {
      const s = sampleSnapshot();
      spoil(s);
      assert.equal(validate(s), false, `${what} passed`);
      assert.ok(
        validate.errors!.some((e) => where.test(e.instancePath)),
        `${what}: ${JSON.stringify(validate.errors!.map((e) => e.instancePath))}`,
      );
    }
  });
});
