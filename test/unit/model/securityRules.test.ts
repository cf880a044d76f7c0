// The security matrix's rules on containers built from the sample snapshot: each flag raised by exactly
// the combination it names, and not by its parts alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerInfo } from '../../../server/protocol';
import { CAPABILITY_NAMES, DOCKER_DEFAULT_CAPS } from '../../../server/discover/capabilities';
import { matrixCapabilities, riskScore, securityCsv, securityRow, userNamespaceOf } from '../../../src/model/security/securityRules';
import { sampleContainer } from '../cli/sampleSnapshot';

function container(over: {
  caps?: (string | number)[];
  seccomp?: ContainerInfo['seccomp'];
  host?: ContainerInfo['sharesHostNamespaces'];
  nnp?: boolean | null;
  lsm?: string | null;
  uidMap?: ContainerInfo['uidMap'];
}): ContainerInfo {
  const c = sampleContainer('a'.repeat(64), 'c', 100);
  c.capabilities!.effective = over.caps ?? [...DOCKER_DEFAULT_CAPS];
  c.seccomp = over.seccomp === undefined ? 'filter' : over.seccomp;
  c.sharesHostNamespaces = over.host ?? ['user', 'time'];
  c.noNewPrivs = over.nnp === undefined ? false : over.nnp;
  c.lsmLabel = over.lsm === undefined ? 'docker-default (enforce)' : over.lsm;
  if (over.uidMap !== undefined) c.uidMap = over.uidMap;
  return c;
}
const rules = (c: ContainerInfo) => securityRow(c).flags.map((f) => f.rule);

test("Docker's defaults: only that root is the host's root and no_new_privs is off", () => {
  const row = securityRow(container({}));
  assert.deepEqual(
    row.flags.map((f) => f.rule),
    ['no-userns', 'new-privs'],
  );
  assert.deepEqual(row.added, []);
  assert.deepEqual(row.dropped, []);
  assert.ok(row.flags.every((f) => f.severity === 'info' && f.reason.length > 20 && !f.reason.includes('\n')));
});

test('CAP_SYS_ADMIN with seccomp off is privileged-like; each alone is not', () => {
  const both = securityRow(container({ caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'], seccomp: 'disabled' }));
  const flag = both.flags.find((f) => f.rule === 'sys-admin-no-seccomp');
  assert.equal(flag?.severity, 'critical');
  assert.match(flag.reason, /CAP_SYS_ADMIN with seccomp off/);
  assert.deepEqual(both.added, ['CAP_SYS_ADMIN']);
  assert.ok(!rules(container({ caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'] })).includes('sys-admin-no-seccomp'));
  assert.ok(rules(container({ caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_ADMIN'] })).includes('sys-admin'));
  assert.ok(!rules(container({ seccomp: 'disabled' })).includes('sys-admin-no-seccomp'));
  assert.ok(rules(container({ seccomp: 'disabled' })).includes('no-seccomp'));
});

test('host pid + CAP_SYS_PTRACE; host net + CAP_NET_ADMIN', () => {
  assert.ok(rules(container({ caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_PTRACE'], host: ['pid', 'user'] })).includes('host-pid-ptrace'));
  assert.ok(!rules(container({ caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_PTRACE'] })).includes('host-pid-ptrace'));
  const hostPid = securityRow(container({ host: ['pid', 'user', 'time'] }));
  assert.ok(!hostPid.flags.some((f) => f.rule === 'host-pid-ptrace'));
  assert.equal(hostPid.flags.find((f) => f.rule === 'host-namespaces')?.reason, "shares the host's pid namespace");
  assert.ok(rules(container({ caps: ['CAP_NET_ADMIN'], host: ['net'] })).includes('host-net-admin'));
});

test('every capability (as --privileged) is critical; a missing one is not "all"', () => {
  assert.ok(rules(container({ caps: [...CAPABILITY_NAMES] })).includes('all-capabilities'));
  assert.ok(!rules(container({ caps: CAPABILITY_NAMES.slice(1) })).includes('all-capabilities'));
});

test('capabilities unknown: no capability flag, no added/dropped claims', () => {
  const c = container({});
  c.capabilities = null;
  const row = securityRow(c);
  assert.equal(row.capabilities, null);
  assert.deepEqual([row.added, row.dropped], [[], []]);
  assert.ok(!row.flags.some((f) => f.rule === 'all-capabilities' || f.rule === 'no-userns'));
});

test('user namespace: identity map or shared is the host; a shifted map is mapped', () => {
  assert.equal(userNamespaceOf(container({ host: ['user'] })), 'host');
  assert.equal(userNamespaceOf(container({ host: [], uidMap: [{ inside: 0, outside: 0, count: 4294967295 }] })), 'host');
  assert.equal(userNamespaceOf(container({ host: [], uidMap: [{ inside: 0, outside: 100000, count: 65536 }] })), 'mapped');
  assert.equal(userNamespaceOf(container({ host: [], uidMap: null })), 'unknown');
  assert.ok(!rules(container({ host: [], uidMap: [{ inside: 0, outside: 100000, count: 65536 }] })).includes('no-userns'));
});

test('LSM: none or unconfined is flagged, a profile is not', () => {
  assert.ok(rules(container({ lsm: null })).includes('no-lsm'));
  assert.ok(rules(container({ lsm: 'unconfined' })).includes('no-lsm'));
  assert.ok(!rules(container({ lsm: 'docker-default (enforce)' })).includes('no-lsm'));
});

test('risk sorts critical above any number of infos', () => {
  const crit = securityRow(container({ caps: ['CAP_SYS_MODULE'], nnp: true }));
  const infos = securityRow(container({ lsm: null, seccomp: 'filter' }));
  assert.ok(riskScore(crit) > riskScore(infos));
});

test('matrix rows: the default set first, then what containers add, in bit order; CSV with one column each', () => {
  const rows = [
    securityRow(container({ caps: [...DOCKER_DEFAULT_CAPS, 'CAP_SYS_PTRACE', 'CAP_NET_ADMIN', 45] })),
    securityRow(container({ caps: ['CAP_CHOWN'] })),
  ];
  assert.deepEqual(matrixCapabilities(rows), [...DOCKER_DEFAULT_CAPS, 'CAP_NET_ADMIN', 'CAP_SYS_PTRACE', 'CAP_45']);
  const csv = securityCsv(rows).split('\r\n');
  assert.equal(csv.length, 4);
  assert.equal(csv[0].split(',').length, 8 + DOCKER_DEFAULT_CAPS.length + 3);
  assert.ok(csv[2].endsWith(',1' + ',0'.repeat(DOCKER_DEFAULT_CAPS.length - 1 + 3)));
});

test('CSV: fields with commas and quotes are quoted; a leading = cannot become a formula', () => {
  const c = container({});
  c.name = '=HYPERLINK("x"),y';
  const line = securityCsv([securityRow(c)]).split('\r\n')[1];
  assert.ok(line.startsWith(`"'=HYPERLINK(""x""),y",`));
});
