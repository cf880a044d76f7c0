/**
 * A real VS Code for the end-to-end suite: code-server (scripts/code-server.sh provisions it) with a fresh
 * profile holding dist/nodescope.vsix and the given settings, served on a free loopback port, driven by
 * Debian's Chromium through playwright-core. Never `npx playwright install`: it downloads a browser.
 */
import { execFileSync, spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort } from './sshd';

const repo = path.resolve(__dirname, '..', '..');

export interface VsCode {
  url: string;
  page: Page;
  dir: string;
  shot(name: string): Promise<string>;
  /** Error lines the extension host logged about Nodescope (an activation failure says why here). */
  extensionHostErrors(): string[];
  /** The lines of the extension's own log (its "Nodescope" output channel), oldest first. */
  nodescopeLog(): string[];
  close(): Promise<void>;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function startVsCode(settings: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Promise<VsCode> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-'));
  const cmd = execFileSync('bash', [path.join(repo, 'scripts', 'codeServerProfile.sh'), dir], { encoding: 'utf8', timeout: 900_000 })
    .trim()
    .split(' ');
  fs.writeFileSync(
    path.join(dir, 'user', 'User', 'settings.json'),
    JSON.stringify({
      'workbench.startupEditor': 'none',
      'security.workspace.trust.enabled': false,
      'git.openRepositoryInParentFolders': 'never',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      // The DOM renderer keeps the terminal's text in the page, where the test can read it.
      'terminal.integrated.gpuAcceleration': 'off',
      ...settings,
    }),
  );
  const workspace = path.join(dir, 'workspace');
  fs.mkdirSync(workspace);
  const port = await freePort();
  const server: ChildProcess = spawn(
    cmd[0],
    [
      ...cmd.slice(1),
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      workspace,
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
      detached: true,
    },
  );
  let log = '';
  server.stdout!.on('data', (d) => (log += d));
  server.stderr!.on('data', (d) => (log += d));
  const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error(`code-server did not start:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const browser: Browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
  // The workbench's first load fetches some 20 MB of scripts: on a loaded machine 'load' came after 30 s.
  await page.goto(url, { timeout: 90_000 });
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  const shots = path.join(repo, 'test-results', 'e2e');
  fs.mkdirSync(shots, { recursive: true });
  return {
    url,
    page,
    dir,
    async shot(name) {
      const file = path.join(shots, `${name}.png`);
      await page.screenshot({ path: file });
      return file;
    },
    extensionHostErrors() {
      const logs = path.join(dir, 'user', 'logs');
      const found: string[] = [];
      for (const session of fs.existsSync(logs) ? fs.readdirSync(logs) : []) {
        for (const host of fs.readdirSync(path.join(logs, session)).filter((d) => d.startsWith('exthost'))) {
          const file = path.join(logs, session, host, 'remoteexthost.log');
          if (!fs.existsSync(file)) continue;
          // An entry is its first line plus the lines up to the next timestamp (the error and its stack).
          const entries = fs.readFileSync(file, 'utf8').split(/\n(?=\d{4}-\d\d-\d\d )/);
          found.push(...entries.filter((e) => /\[error\]/.test(e) && /nodescope/i.test(e)).map((e) => e.split('\n').slice(0, 2).join(' ')));
        }
      }
      return found;
    },
    nodescopeLog() {
      const logs = path.join(dir, 'user', 'logs');
      if (!fs.existsSync(logs)) return [];
      // A log output channel is written to <session>/exthost*/<publisher.name>/Nodescope.log.
      const files = (fs.readdirSync(logs, { recursive: true }) as string[]).filter((f) =>
        /(^|\/)nodescope\.nodescope\/Nodescope\.log$/.test(f),
      );
      return files.flatMap((f) => fs.readFileSync(path.join(logs, f), 'utf8').split('\n').filter(Boolean));
    },
    async close() {
      await browser.close().catch(() => undefined);
      try {
        process.kill(-server.pid!, 'SIGTERM');
      } catch {
        /* gone */
      }
      if (process.env.NODESCOPE_E2E_KEEP === '1') process.stderr.write(`e2e: kept profile ${dir}\n`);
      else fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
