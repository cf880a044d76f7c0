/**
 * VS Code's terminal as the end-to-end flows read it: the DOM renderer keeps the text on screen in the
 * page (codeServer.ts turns GPU acceleration off for that). Opening Nodescope's Enter terminal, typing a
 * line, exiting and closing it on a key.
 */
import type { Page } from 'playwright-core';
import { inspect } from './dockerFacts';
import { contextMenu, until } from './nodesTreePage';

/** The text of the terminal on screen (hidden terminals keep their rows in the page too). */
export async function terminalText(page: Page): Promise<string> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLElement>('.xterm-rows'))
      .filter((e) => e.offsetParent !== null)
      .map((e) => e.innerText)
      .join('\n'),
  );
}

/** `until`, with what the terminal showed last in the failure. */
export async function untilTerminal(page: Page, what: string, check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  try {
    await until(what, check, ms);
  } catch (err) {
    throw new Error(`${(err as Error).message}; the terminal shows:\n${(await terminalText(page)).slice(-800)}`, { cause: err });
  }
}

/** Whether a line on screen is exactly `text`. */
export const terminalHasLine = async (page: Page, text: string): Promise<boolean> =>
  (await terminalText(page)).split('\n').some((l) => l.trim() === text);

/** Clicks into the terminal on screen, as a person does before typing. */
export const focusTerminal = (page: Page): Promise<void> => page.locator('.xterm').filter({ visible: true }).first().click();

/** Right-click the container's row → Enter Namespaces…, wait for its terminal, click into it. */
export async function enterContainer(page: Page, container: string): Promise<void> {
  await contextMenu(page, container, 'Enter Namespaces…');
  await untilTerminal(page, 'the terminal to open', async () => (await terminalText(page)).includes(`entering ${container}`));
  await focusTerminal(page);
}

export async function typeLine(page: Page, line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** A key closes the terminal that says its process exited. */
export async function closeOnKey(page: Page, what = 'a key to close the terminal'): Promise<void> {
  const terminals = await page.locator('.xterm').count();
  await page.keyboard.press('x');
  await untilTerminal(page, what, async () => (await page.locator('.xterm').count()) < terminals, 10_000);
}

/** `exit` in the focused terminal, the exit line, then a key closes it. */
export async function exitAndClose(page: Page, exitLine: string): Promise<void> {
  await typeLine(page, 'exit');
  await untilTerminal(page, 'the exit line', async () => (await terminalText(page)).includes(exitLine));
  await closeOnKey(page);
}

/**
 * Right-click the container → Enter Namespaces…, type `hostname` and find the container's hostname (per
 * docker inspect) on its own line. The terminal stays open, for a screenshot and `exitAndClose`.
 */
export async function askHostname(page: Page, container: string): Promise<void> {
  await enterContainer(page, container);
  await typeLine(page, 'hostname');
  const hostname = inspect('{{.Config.Hostname}}', container);
  await untilTerminal(page, `${hostname} in the terminal`, () => terminalHasLine(page, hostname));
}
