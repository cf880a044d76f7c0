/**
 * The layer rules of eslint.config.mjs, run by ESLint itself on planted imports at paths of each layer:
 * what the README's "What is where" promises is refused, and what each layer needs still passes.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'path';
import { ESLint, type Linter } from 'eslint';

const root = path.join(__dirname, '..', '..');
let eslint: ESLint;

before(async () => {
  const config = (await import(path.join(root, 'eslint.config.mjs'))) as { default: Linter.Config[] };
  const tseslint = (await import('typescript-eslint')).default;
  // The repository's own layer blocks, on the TypeScript parser alone: no type information is needed to
  // read an import, and planted files need not exist on disk.
  const layers = config.default.filter((c) => c.files && c.rules && '@typescript-eslint/no-restricted-imports' in c.rules);
  assert.ok(layers.length >= 3, 'eslint.config.mjs has its layer blocks');
  eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'] }, tseslint.configs.base, ...layers],
  });
});

/** The messages ESLint gives `code` as if it were the file at `file` (relative to the repository). */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const refused = async (file: string, code: string, why: RegExp): Promise<void> => {
  const messages = await lint(file, code);
  assert.equal(messages.length, 1, `${file}: ${code} -> ${messages.join(' | ')}`);
  assert.match(messages[0], why);
};
const passes = async (file: string, code: string): Promise<void> => assert.deepEqual(await lint(file, code), [], `${file}: ${code}`);

describe('the layer rules (eslint.config.mjs)', () => {
  it('keep vscode out of src/connection, src/model and the agent, however it is imported', async () => {
    for (const file of ['src/connection/probe.ts', 'src/model/graph/probe.ts', 'server/discover/probe.ts']) {
      await refused(file, "import * as vscode from 'vscode';\nexport const v = vscode;\n", /no vscode import here/);
      await refused(file, "import type { Uri } from 'vscode';\nexport let u: Uri;\n", /no vscode import here/);
      await refused(file, "export const v = require('vscode');\n", /no vscode import here/);
      await refused(file, "export const v = () => import('vscode');\n", /no vscode import here/);
      await passes(file, "import * as fs from 'fs';\nexport const f = fs;\n");
    }
  });

  it('keep the agent from importing the extension', async () => {
    await refused(
      'server/probe.ts',
      "import { LOCAL_ID } from '../src/nodes/registry';\nexport const x = LOCAL_ID;\n",
      /imports nothing from the extension/,
    );
    await refused('server/act/probe.ts', "export * from '../../src/connection/transport';\n", /imports nothing from the extension/);
    await passes('server/act/probe.ts', "import { x } from './srcFiles';\nimport { y } from '../protocol';\nexport const z = [x, y];\n");
  });

  it("keep Node built-ins and vscode out of the panels' browser code", async () => {
    for (const file of ['src/panels/web/probe.ts', 'src/panels/overview/web/probe.ts']) {
      for (const mod of ['fs', 'node:fs', 'fs/promises', 'path', 'node:path', 'child_process', 'os', 'net', 'crypto', 'vscode']) {
        await refused(
          file,
          `import * as m from '${mod}';\nexport const x = m;\n`,
          mod === 'vscode' ? /no vscode import here/ : /a webview has no Node built-in modules/,
        );
      }
      await passes(file, "import { post } from '../web/bridge';\nimport '@vscode-elements/elements';\nexport const p = post;\n");
    }
  });

  it('leave the extension itself free to use vscode and Node', async () => {
    await passes('src/commands/probe.ts', "import * as vscode from 'vscode';\nimport * as fs from 'fs';\nexport const x = [vscode, fs];\n");
    await passes('src/panels/host/probe.ts', "import * as vscode from 'vscode';\nexport const x = vscode;\n");
  });
});
