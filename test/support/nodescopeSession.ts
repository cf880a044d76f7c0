/**
 * One end-to-end flow's VS Code: `nodescopeSession()` is called inside the flow's `describe` and returns the
 * object its steps share (nothing lives at module level). `open` starts code-server with Nodescope (with
 * an SSH config of no hosts unless the flow gives one: the machine's own ~/.ssh/config stays out), opens
 * its view from the activity bar and waits until This machine lists its containers; when that fails, the
 * flow's `before` fails with what the page and the extension said, and no step waits out its timeouts.
 * Each `step` leaves a screenshot of what the page showed when it failed, and says the same.
 */
import { it } from 'node:test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { startVsCode, type VsCode } from './codeServer';
import { rows } from './nodesTreePage';
import { notifications } from './workbenchPage';

export interface NodescopeSession {
  /** The flow's VS Code (after `open`). */
  readonly vs: VsCode;
  readonly page: Page;
  open(settings: Record<string, unknown>, env?: NodeJS.ProcessEnv): Promise<void>;
  step(name: string, fn: () => Promise<void>): void;
  close(): Promise<void>;
}

/** Nodescope's icon in the activity bar. */
export const activityIcon = (page: Page): Locator => page.locator('.activitybar [aria-label^="Nodescope"]').first();

export function nodescopeSession(): NodescopeSession {
  let vs: VsCode | undefined;
  let noHosts: string | undefined;
  const started = (): VsCode => {
    if (!vs) throw new Error('not run: VS Code did not start');
    return vs;
  };
  /** What the page and the extension said, so a failure in CI explains itself. */
  const said = async (v: VsCode): Promise<string> => {
    const logged = v.extensionHostErrors().slice(-3).join(' | ') || 'none';
    return `notifications: ${await notifications(v.page)}\nextension host errors: ${logged}\nNodescope log: ${v.nodescopeLog().slice(-6).join(' | ') || 'empty'}`;
  };
  return {
    get vs() {
      return started();
    },
    get page() {
      return started().page;
    },
    async open(settings, env = {}) {
      const own = { ...settings };
      if (!('nodescope.sshConfigFile' in own)) {
        noHosts = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-ssh-'));
        own['nodescope.sshConfigFile'] = path.join(noHosts, 'ssh_config');
        fs.writeFileSync(path.join(noHosts, 'ssh_config'), '');
      }
      vs = await startVsCode(own, env);
      const page = vs.page;
      await activityIcon(page).waitFor({ timeout: 60_000 });
      await activityIcon(page).click();
      try {
        await rows(page, 'This machine').first().waitFor({ timeout: 60_000 });
        await rows(page, /This machine.*containers/)
          .first()
          .waitFor({ timeout: 60_000 });
      } catch (err) {
        await vs.shot('FAILED-open').catch(() => undefined);
        throw new Error(`the extension did not activate or its Nodes view stayed empty; ${await said(vs)}`, { cause: err });
      }
    },
    step(name, fn) {
      it(name, async () => {
        const v = started();
        try {
          await fn();
        } catch (err) {
          await v.shot(`FAILED-${name.split('.')[0]}`).catch(() => undefined);
          // A new error: the runner prints a stack, and an error's stack keeps the message it was made with.
          if (err instanceof Error) throw new Error(`${err.message}\n${await said(v)}`, { cause: err });
          throw err;
        }
      });
    },
    async close() {
      await vs?.close();
      if (noHosts) fs.rmSync(noHosts, { recursive: true, force: true });
    },
  };
}
