/**
 * A large synthetic overlay layer on disk: `files` small regular files spread over directories, plus
 * whiteouts (0/0 character devices, as overlayfs writes them) and an opaque directory, so a scan does
 * the same work as on a real image layer.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function makeLargeLayer(files: number, whiteouts: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-bench-layer-'));
  const perDir = 500;
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `d${Math.floor(i / perDir) % 100}`, `s${Math.floor(i / (perDir * 100))}`);
    if (i % perDir === 0) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}`), i % 7 === 0 ? 'x'.repeat(64) : '');
  }
  const wh = path.join(root, 'whiteouts');
  fs.mkdirSync(wh);
  // mknod has no Node API; one mknod call makes many devices.
  const names = Array.from({ length: whiteouts }, (_, i) => path.join(wh, `gone${i}`));
  for (let i = 0; i < names.length; i += 200)
    execFileSync('sh', ['-c', 'for f; do mknod "$f" c 0 0; done', 'sh', ...names.slice(i, i + 200)]);
  fs.mkdirSync(path.join(root, 'opaque'));
  execFileSync('setfattr', ['-n', 'trusted.overlay.opaque', '-v', 'y', path.join(root, 'opaque')]);
  return root;
}
