// Assembles dist/agent-bundle/: what is uploaded to a node. The agent bundle plus koffi's JavaScript and
// its prebuilt native parts for linux x64 and arm64 (whichever are installed), so a node needs Node.js and
// nothing else: no compiler, no npm. manifest.json lists every file with its SHA-256; its own hash
// identifies the bundle, which the deploy step compares to decide whether to upload again.
'use strict';
const { createHash } = require('crypto');
const fs = require('fs');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const out = path.join(repo, 'dist', 'agent-bundle');
const nm = path.join(repo, 'node_modules');

function copy(src, dest, only = () => true) {
  const st = fs.statSync(src);
  if (st.isDirectory()) {
    for (const n of fs.readdirSync(src)) copy(path.join(src, n), path.join(dest, n), only);
    return;
  }
  if (!only(src)) return;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(src, dest);
}

fs.rmSync(out, { recursive: true, force: true });
copy(path.join(repo, 'dist', 'agent.js'), path.join(out, 'agent.js'));
const koffi = path.join(nm, 'koffi');
// koffi's JavaScript (its entry loads more of it from src/) and licence; its C/C++ sources are not
// needed at run time: the native part comes prebuilt from @koromix/koffi-linux-<arch>.
copy(koffi, path.join(out, 'node_modules', 'koffi'), (f) => /\.(c?js|json)$|LICENSE/.test(f) && !/[\\/](doc|vendor)[\\/]/.test(f));
// npm installs only this machine's native package; the other architecture's comes from the registry
// once (npm pack, cached in .cache/koffi-natives) so an arm64 node gets native calls as an x64 one does.
const { execFileSync } = require('child_process');
const koffiVersion = require(path.join(koffi, 'package.json')).version;
function nativePackage(arch) {
  const installed = path.join(nm, '@koromix', `koffi-linux-${arch}`);
  if (fs.existsSync(installed)) return installed;
  const cache = path.join(repo, '.cache', 'koffi-natives', `${arch}-${koffiVersion}`);
  if (!fs.existsSync(path.join(cache, 'package', 'package.json'))) {
    fs.mkdirSync(cache, { recursive: true });
    try {
      const tgz = execFileSync('npm', ['pack', `@koromix/koffi-linux-${arch}@${koffiVersion}`, '--pack-destination', cache, '--silent'], {
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop();
      execFileSync('tar', ['-xzf', path.join(cache, tgz), '-C', cache]);
    } catch (err) {
      console.error(
        `agent bundle: no native koffi for linux-${arch} (${err.message.split('\n')[0]}); such nodes report native facts as unknown`,
      );
      return null;
    }
  }
  return path.join(cache, 'package');
}
const natives = [];
for (const arch of ['x64', 'arm64']) {
  const pkg = nativePackage(arch);
  if (!pkg) continue;
  copy(pkg, path.join(out, 'node_modules', '@koromix', `koffi-linux-${arch}`), (f) => !f.endsWith('.tgz'));
  natives.push(arch);
}

const files = {};
(function walk(dir) {
  for (const n of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isDirectory()) walk(p);
    else files[path.relative(out, p)] = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  }
})(out);
const version = require(path.join(repo, 'package.json')).version;
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify({ version, natives, files }, null, 1));
// The same checksums in sha256sum's format, so the node can verify an upload with coreutils alone.
fs.writeFileSync(
  path.join(out, 'SHA256SUMS'),
  Object.entries(files)
    .map(([f, h]) => `${h}  ${f}\n`)
    .join(''),
);
console.error(`agent bundle: ${Object.keys(files).length} files, native koffi for ${natives.join(', ') || 'no architecture'}`);
