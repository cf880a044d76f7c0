/**
 * Extension-host tests: they run INSIDE VS Code's extension host, next to Nodescope, with the real
 * `vscode` API (test/e2e/extensionHost.test.ts loads them into code-server through its extensionTestsPath;
 * a desktop VS Code takes the same file from @vscode/test-electron or a launch.json "Extension Tests").
 * Every fact is checked against the machine itself (docker, /proc), never against Nodescope's own answers.
 *
 * No mocha: it is not among the project's dependencies, and this file is one short sequence of checks.
 * VS Code calls run(); a check that throws is reported and makes run() reject, which the workbench turns
 * into a non-zero exit code. Results also go to NODESCOPE_EXTHOST_RESULTS (a JSON file) when set.
 */
import * as vscode from 'vscode';
import assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import type { NodeRegistry } from '../../src/nodes/registry';
import type { NodeElement } from '../../src/views/nodeElement';

const EXTENSION_ID = 'nodescope.nodescope';
const LIMITED = 'nodescope-rig-limited';

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

async function until<T>(what: string, probe: () => T | undefined | null | false, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let nodes: NodeRegistry;

const checks: Array<[string, () => Promise<void>]> = [
  [
    'the extension activates and hands back its node registry',
    async () => {
      const ext = vscode.extensions.getExtension<{ nodes: NodeRegistry }>(EXTENSION_ID);
      assert.ok(ext, `${EXTENSION_ID} is not loaded`);
      const api = await ext.activate();
      assert.ok(ext.isActive);
      assert.ok(api?.nodes, 'activate() returned no node registry');
      nodes = api.nodes;
    },
  ],
  [
    'every command the manifest contributes is registered',
    async () => {
      const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
      const declared: string[] = ext.packageJSON.contributes.commands.map((c: { command: string }) => c.command);
      const registered = new Set(await vscode.commands.getCommands(true));
      assert.deepEqual(
        declared.filter((c) => !registered.has(c)),
        [],
        'declared in package.json but not registered',
      );
    },
  ],
  [
    'This machine connects and lists the running Docker containers by name, with the limits Docker set',
    async () => {
      const local = await until('This machine to connect', () => nodes.all.find((s) => s.kind === 'local' && s.state === 'connected'));
      // Containers come and go under other tests: compare the rig's, which stay up.
      const rig = docker('ps', '--filter', 'name=^nodescope-rig-', '--format', '{{.Names}}').split('\n').filter(Boolean).sort();
      assert.ok(rig.includes(LIMITED), `the rig is not up (docker ps: ${rig.join(', ')})`);
      const listed = await until('the rig containers in the snapshot', () => {
        // Docker's only: the rig also runs containerd's own containers (test/integration/containerd.test.ts).
        const names = (local.model.snapshot?.containers ?? []).filter((c) => c.runtime === 'docker').map((c) => c.name);
        return rig.every((n) => names.includes(n)) && names;
      });
      assert.deepEqual(listed.filter((n) => n.startsWith('nodescope-rig-')).sort(), rig);
      const limited = local.model.snapshot!.containers.find((c) => c.name === LIMITED)!;
      assert.equal(limited.id, docker('inspect', '-f', '{{.Id}}', LIMITED));
      assert.equal(limited.initPid, Number(docker('inspect', '-f', '{{.State.Pid}}', LIMITED)));
    },
  ],
  [
    'Enter Namespaces… opens a terminal whose shell runs in the container (its hostname, its root)',
    async () => {
      const local = nodes.all.find((s) => s.kind === 'local')!;
      const id = docker('inspect', '-f', '{{.Id}}', LIMITED);
      const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', LIMITED));
      // The file lands in the container's root; the host reads it through /proc/PID/root, not through Nodescope.
      const name = `nodescope-exthost-${process.pid}-${Date.now()}`;
      const seen = `/proc/${pid}/root/tmp/${name}`;
      const opened = new Promise<vscode.Terminal>((resolve) => {
        const sub = vscode.window.onDidOpenTerminal((t) => {
          if (t.name.startsWith(LIMITED)) {
            sub.dispose();
            resolve(t);
          }
        });
      });
      // What the tree hands the command on a right-click: the element's session and its container row.
      // Not awaited alone: a command that fell back to asking (a quick pick) would never return here.
      // (This module is transpiled alone, so the row is spelled out as src/views/nodeElement.ts containerElement makes it.)
      const row: NodeElement = {
        session: local,
        item: { id: `${local.id}/c/${id}`, kind: 'container', label: '', contextValue: 'container', expandable: false, containerId: id },
      };
      const ran = vscode.commands.executeCommand('nodescope.enter', row);
      const terminal = await Promise.race([opened, until<vscode.Terminal>('the terminal to open', () => false, 20_000)]);
      await ran;
      try {
        terminal.sendText(`hostname > /tmp/${name}`);
        const written = await until('the shell to write its hostname', () => fs.existsSync(seen) && fs.readFileSync(seen, 'utf8').trim());
        assert.equal(written, docker('inspect', '-f', '{{.Config.Hostname}}', LIMITED));
        const closed = new Promise<vscode.TerminalExitStatus | undefined>((resolve) => {
          const sub = vscode.window.onDidCloseTerminal((t) => {
            if (t === terminal) {
              sub.dispose();
              resolve(t.exitStatus);
            }
          });
        });
        terminal.sendText(`rm /tmp/${name}; exit 3`);
        await until('the shell to exit', () => !fs.existsSync(seen));
        // After the exit line, any key closes the terminal.
        await new Promise((r) => setTimeout(r, 500));
        terminal.sendText('x', false);
        const status = await Promise.race([
          closed,
          until<vscode.TerminalExitStatus | undefined>('a key to close the terminal after the exit', () => false, 10_000),
        ]);
        // VS Code would show a non-zero code as an error notification: the exit line in the terminal shows
        // it, and VS Code is told no code at all (src/terminal/ptyOutput.ts exitCodeForVsCode).
        assert.equal(status?.code, undefined, 'a shell exiting 3 is not reported to VS Code as a failure');
      } finally {
        terminal.dispose();
        fs.rmSync(seen, { force: true });
      }
    },
  ],
];

export async function run(): Promise<void> {
  const results: Array<{ name: string; ok: boolean; error?: string }> = [];
  for (const [name, fn] of checks) {
    try {
      await fn();
      results.push({ name, ok: true });
      console.log(`✔ ${name}`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      results.push({ name, ok: false, error });
      console.log(`✖ ${name}\n  ${error}`);
    }
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  if (process.env.NODESCOPE_EXTHOST_RESULTS) fs.writeFileSync(process.env.NODESCOPE_EXTHOST_RESULTS, JSON.stringify(results));
  if (failed) throw new Error(`${failed} extension-host check(s) failed`);
}
