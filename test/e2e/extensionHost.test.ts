/**
 * The extension-host tests (test/extension-host/) inside a real VS Code: code-server accepts an extension
 * under development and a tests module through the workbench URL's `payload` (extensionDevelopmentPath,
 * extensionTestsPath: the same parameters VS Code's own browser integration tests use). When the tests
 * end the workbench calls window.codeAutomationExit(code), which this file exposes to catch the code.
 * The tests' own output goes to the extension host's log, so results come back through a JSON file.
 * The extension under development is this checkout (dist/ as `npm run build` left it), not the .vsix.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startVsCode, type VsCode } from '../support/codeServer';

const repo = path.resolve(__dirname, '..', '..');
const built = (): string | null =>
  ['dist/extension.js', 'dist/agent-bundle/agent.js', 'dist/nodescope.vsix'].every((f) => fs.existsSync(path.join(repo, f)))
    ? null
    : 'needs a build (npm run build && npm run package)';
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('chromium'), built);

/** The tests module as the extension host loads it: plain CommonJS next to nothing but Node's and vscode's modules. */
function compileTests(dir: string): string {
  const source = path.join(repo, 'test', 'extension-host', 'index.ts');
  const { outputText } = ts.transpileModule(fs.readFileSync(source, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: source,
  });
  const out = path.join(dir, 'extension-host-tests.js');
  fs.writeFileSync(out, outputText);
  return out;
}

describe('extension-host tests inside code-server', { skip, timeout: 300_000 }, () => {
  let vs: VsCode;
  let results: string;

  before(async () => {
    rigUp();
    // Inside the extension's folder (gitignored .cache/): VS Code hands a tests module there the
    // extension's own `vscode` API, as it does for tests shipped with an extension.
    fs.mkdirSync(path.join(repo, '.cache'), { recursive: true });
    results = path.join(fs.mkdtempSync(path.join(repo, '.cache', 'extension-host-tests-')), 'results.json');
    // A built workbench reads extensionDevelopmentPath/extensionTestsPath from the URL only when the server
    // runs with VS Code's enable-smoke-test-driver; code-server passes VS Code options on from VSCODE_OPTIONS.
    vs = await startVsCode({}, { NODESCOPE_EXTHOST_RESULTS: results, VSCODE_OPTIONS: 'enable-smoke-test-driver' });
  });

  after(async () => {
    await vs?.close();
    fs.rmSync(path.dirname(results), { recursive: true, force: true });
  });

  it('run with the real vscode API and all pass', async () => {
    const page = vs.page;
    const exited = new Promise<number>((resolve) => void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    const hostLog: string[] = [];
    page.on('console', (m) => hostLog.push(m.text()));
    const url = new URL(vs.url);
    const remote = (p: string): string => `vscode-remote://${url.host}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repo)],
      ['extensionTestsPath', remote(compileTests(path.dirname(results)))],
      ['skipWelcome', 'true'],
    ];
    url.searchParams.set('payload', JSON.stringify(payload));
    await page.goto(url.toString());
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exited,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the tests did not finish; the workbench said:\n${hostLog.slice(-20).join('\n')}`)),
          180_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    await vs.shot('exthost-tests').catch(() => undefined);
    const reported: Array<{ name: string; ok: boolean; error?: string }> = fs.existsSync(results)
      ? JSON.parse(fs.readFileSync(results, 'utf8'))
      : [];
    const failures = reported.filter((r) => !r.ok).map((r) => `${r.name}: ${r.error}`);
    assert.deepEqual(failures, [], 'extension-host checks failed');
    assert.ok(reported.length > 0, `run() reported no checks; extension host said:\n${hostLog.slice(-20).join('\n')}`);
    assert.equal(code, 0, 'the extension host exit code');
  });
});
