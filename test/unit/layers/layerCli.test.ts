// `nodescope layers` and `nodescope ls` as typed (pure parsing), dive's CI rules on a report's figures,
// and the readable table: cut to the terminal's width after escaping, never through an escape.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs, UsageError } from '../../../src/cli/args';
import { brokenRules, parseRatio, parseSize } from '../../../src/cli/layerOptions';
import { renderLayerReport } from '../../../src/cli/renderLayers';
import type { LayerReport } from '../../../server/protocol';
import { formatBytes } from '../../../server/units';

const usageError = (argv: string[]): string => {
  try {
    parseArgs(argv);
  } catch (err) {
    assert.ok(err instanceof UsageError);
    return err.message;
  }
  assert.fail(`accepted: ${argv.join(' ')}`);
};

describe('layers and ls arguments', () => {
  it("layers takes a container or an image, --json, and --ci with its rules (dive's 0.9 by default)", () => {
    assert.deepEqual(parseArgs(['layers', 'web', '--json']).command, {
      name: 'layers',
      target: 'web',
      json: true,
      ci: false,
      lowestEfficiency: undefined,
      highestWastedBytes: undefined,
    });
    assert.deepEqual(parseArgs(['layers', 'img:1', '--ci']).command, {
      name: 'layers',
      target: 'img:1',
      json: false,
      ci: true,
      lowestEfficiency: 0.9,
      highestWastedBytes: undefined,
    });
    assert.deepEqual(parseArgs(['layers', 'img:1', '--ci', '--highest-wasted-bytes', '1m', '--lowest-efficiency', '0.5']).command, {
      name: 'layers',
      target: 'img:1',
      json: false,
      ci: true,
      lowestEfficiency: 0.5,
      highestWastedBytes: 1048576,
    });
  });

  it('ls lists / of the merged view by default; --layer N alone, or merged up to it with --merged', () => {
    assert.deepEqual(parseArgs(['ls', 'web']).command, {
      name: 'ls',
      target: 'web',
      path: '/',
      layer: undefined,
      merged: true,
      json: false,
    });
    assert.deepEqual(parseArgs(['ls', 'web', '--layer', '2', '/etc']).command, {
      name: 'ls',
      target: 'web',
      path: '/etc',
      layer: 2,
      merged: false,
      json: false,
    });
    assert.deepEqual(parseArgs(['ls', 'web', '/etc', '--layer', '0', '--merged', '--json']).command, {
      name: 'ls',
      target: 'web',
      path: '/etc',
      layer: 0,
      merged: true,
      json: true,
    });
  });

  it('refuses what cannot be meant, in one line', () => {
    assert.match(usageError(['layers']), /^missing CONTAINER or IMAGE$/);
    assert.match(usageError(['layers', 'web', '--lowest-efficiency', '0.5']), /go with --ci$/);
    assert.match(usageError(['layers', 'web', '--ci', '--json']), /^--ci or --json, not both$/);
    assert.match(usageError(['layers', 'web', '--ci', '--lowest-efficiency', '90']), /ratio from 0 to 1/);
    assert.match(usageError(['layers', 'web', '--ci', '--highest-wasted-bytes', 'lots']), /needs a size/);
    assert.match(usageError(['ls', 'web', 'etc']), /^PATH must be absolute/);
    assert.match(usageError(['ls', 'web', '--layer', '-1']), /^--layer needs a whole number$/);
    assert.match(usageError(['ls', 'web', '--merged']), /^--merged goes with --layer N/);
    assert.match(usageError(['ls', 'web', '/a', '/b']), /^unexpected argument "\/b"$/);
  });

  it("reads ratios and sizes as dive's rules mean them", () => {
    assert.equal(parseRatio('--x', '1'), 1);
    assert.equal(parseRatio('--x', '.25'), 0.25);
    assert.throws(() => parseRatio('--x', '1.5'), /ratio/);
    assert.equal(parseSize('--x', '0'), 0);
    assert.equal(parseSize('--x', '2k'), 2048);
    assert.equal(parseSize('--x', '1049600'), 1049600);
  });
});

describe('CI rules', () => {
  const report = { efficiency: 0.64, wastedBytes: 1049600, truncated: false };
  it('one line per broken rule, none when they hold, on either side of each threshold', () => {
    assert.deepEqual(brokenRules(report, { lowestEfficiency: 0.64, highestWastedBytes: 1049600 }, formatBytes), []);
    const broken = brokenRules(report, { lowestEfficiency: 0.65, highestWastedBytes: 1049599 }, formatBytes);
    assert.equal(broken.length, 2);
    assert.match(broken[0], /^FAIL lowest-efficiency: efficiency 0\.64 is below 0\.65$/);
    assert.match(broken[1], /^FAIL highest-wasted-bytes: 1\.0 MiB \(1049600 bytes\) wasted, above 1\.0 MiB \(1049599 bytes\)$/);
  });
  it('figures from a walk cut short pass no gate', () => {
    assert.match(
      brokenRules({ ...report, truncated: true }, { lowestEfficiency: 0 }, formatBytes).join('\n'),
      /FAIL complete: the walk stopped/,
    );
  });
});

describe('the layers table', () => {
  const layer = {
    path: '/l',
    role: 'lower' as const,
    origin: 'image' as const,
    emptyHistory: [],
    bytes: 1,
    symlinkBytes: 0,
    files: 1,
    whiteouts: 0,
    opaqueDirs: 0,
    redirects: 0,
    usedBy: [],
  };
  const r: LayerReport = {
    target: { kind: 'image', id: 'sha256:' + 'ab'.repeat(32), name: 'evil\x1b[31m:1' },
    layers: [
      { ...layer, index: 0, createdBy: `RUN echo ${'x'.repeat(200)}` },
      { ...layer, index: 1, createdBy: 'RUN \x1b]0;title\x07 x' },
    ],
    efficiency: 1,
    wastedBytes: 0,
    totalBytes: 2,
    wasted: [],
    wastedFiles: 0,
    truncated: false,
    problems: [],
  };
  it('cuts every line to the width, after escaping, so no control character reaches the terminal', () => {
    const out = renderLayerReport(r, 72);
    for (const line of out.split('\n')) assert.ok(line.length <= 72, line);
    assert.doesNotMatch(out, /[\x00-\x08\x0b-\x1f\x7f]/);
    assert.match(out, /evil\\x1b\[31m:1/);
    assert.match(out, /RUN \\x1b\]0;title\\x07 x/);
    assert.match(out.split('\n')[2], /…$/);
  });
  it('keeps lines whole when not on a terminal', () => {
    assert.match(renderLayerReport(r), new RegExp(`x{200}$`, 'm'));
  });
  it('shows redirects and the containers sharing a layer only where some layer has them, and the engine', () => {
    const shared: LayerReport = {
      ...r,
      target: { ...r.target, engine: 'containerd' },
      layers: [{ ...r.layers[0], redirects: 2, usedBy: ['a', 'b'] }, r.layers[1]],
    };
    const lines = renderLayerReport(shared).split('\n');
    assert.match(lines[0], /^image evil\\x1b\[31m:1 \(containerd\) {2}abababababab$/);
    assert.match(lines[1], /^#\s+ROLE\s+SIZE\s+FILES\s+WHITEOUTS\s+OPAQUE\s+REDIRECTS\s+CONTAINERS\s+CREATED BY$/);
    assert.match(lines[2], /^0\s+lower\s+1 B\s+1\s+0\s+0\s+2\s+2\s+RUN echo x/);
    assert.doesNotMatch(renderLayerReport(r).split('\n')[1], /REDIRECTS|CONTAINERS/);
  });
});
