/** A temp directory holding the given files (relative path → content), removed after the test. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export function fixtureTree(t: { after: (fn: () => void) => void }, prefix: string, files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}
