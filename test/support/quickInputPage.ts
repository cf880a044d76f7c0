/**
 * VS Code's quick input (quick picks and input boxes) as the end-to-end flows answer it: wait for its
 * text field to have the focus, pick a row by typing its label, answer a prompt.
 */
import type { Locator, Page } from 'playwright-core';

/** The quick input on screen. */
export const quickInput = (page: Page): Locator => page.locator('.quick-input-widget').filter({ visible: true });

/**
 * Keys go where the focus is: once a quick pick or input box shows, wait until its text field has the
 * focus, as a person would see the cursor there before typing. Now and then (about one run in six here)
 * the box shows while the focus stays behind it; a person then clicks into it, and so does this, saying
 * where the focus was.
 */
export async function inputFocused(page: Page): Promise<void> {
  const focused = (ms: number): Promise<boolean> =>
    page
      .waitForFunction(() => document.activeElement?.closest('.quick-input-widget') != null, undefined, { timeout: ms })
      .then(
        () => true,
        () => false,
      );
  if (await focused(3_000)) return;
  const where = await page.evaluate(() => {
    const path: string[] = [];
    for (let e = document.activeElement as HTMLElement | null; e && path.length < 5; e = e.parentElement) {
      path.push(`${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${Array.from(e.classList).slice(0, 3).join('.')}`);
    }
    return path.join(' < ');
  });
  process.stderr.write(`e2e: the quick input showed without the focus (it was on ${where}); clicking into it\n`);
  await page.locator('.quick-input-widget .quick-input-box input').filter({ visible: true }).first().click();
  if (!(await focused(5_000))) throw new Error(`the quick input shows but the focus stays elsewhere: ${where}`);
}

/** In the quick pick titled `title`: type `label`, Enter on it; returns the labels it offered first. */
export async function quickPick(page: Page, title: RegExp, label: string): Promise<string[]> {
  const widget = quickInput(page);
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  await inputFocused(page);
  // A row's first label-name is its label; a detail line (a home directory) carries another.
  const offered = await widget
    .locator('.quick-input-list .monaco-list-row')
    .evaluateAll((rows) => rows.map((r) => r.querySelector('.label-name')?.textContent ?? ''));
  await page.keyboard.type(label);
  // Enter takes the focused row: wait until the filter has put the focus on the one wanted.
  await widget.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'detached', timeout: 10_000 });
  return offered.map((t) => t.trim());
}

/**
 * Waits for the input box whose title or message matches, then replaces its text with `text` and presses
 * Enter; `null` takes what the box offers.
 */
export async function answer(
  page: Page,
  where: { title: string | RegExp } | { message: string | RegExp },
  text: string | null,
): Promise<void> {
  const box = quickInput(page);
  const shown =
    'title' in where
      ? box.locator('.quick-input-title', { hasText: where.title })
      : box.locator('.quick-input-message', { hasText: where.message });
  await shown.waitFor({ timeout: 30_000 });
  await inputFocused(page);
  if (text !== null) {
    await page.keyboard.press('Control+A');
    await page.keyboard.type(text);
  }
  await page.keyboard.press('Enter');
}
