/**
 * Driving Nodescope's webview panels in code-server: the palette, the frame a panel's page runs in, the
 * editor tabs, the colour theme. For the panels' e2e files (test/e2e/*Panel*.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import type { VsCode } from './codeServer';
import { until } from './nodesTreePage';

/** The webview frame that has `selector` (each panel's page is a frame inside VS Code's webview frame). */
export async function frameWith(page: Page, selector: string, ms = 30_000): Promise<Frame> {
  let found: Frame | undefined;
  await until(
    `a webview with ${selector}`,
    async () => {
      for (const f of page.frames())
        if (
          await f
            .locator(selector)
            .count()
            .catch(() => 0)
        )
          return Boolean((found = f));
      return false;
    },
    ms,
  );
  return found!;
}

/** Runs a command from the palette (F1), waiting until the palette offers it. */
export async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').filter({ visible: true }).first().waitFor();
  await page.keyboard.type(command);
  await page
    .locator('.quick-input-widget .monaco-list-row.focused', { hasText: command.replace(/^Nodescope: /, '') })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

export const tabs = (page: Page): Promise<string[]> => page.locator('.tabs-container .tab').allInnerTexts();

/** Switches the colour theme through the user settings file, as a person editing settings.json would. */
export function setTheme(vs: VsCode, theme: string): void {
  const file = path.join(vs.dir, 'user', 'User', 'settings.json');
  const settings = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...settings, 'workbench.colorTheme': theme }));
}
