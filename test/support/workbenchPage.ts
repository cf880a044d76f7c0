/**
 * The parts of VS Code's workbench the end-to-end flows read besides the tree, the terminal and the quick
 * input: notifications, the text editor, modal dialogs.
 */
import type { Locator, Page } from 'playwright-core';
import { palette } from './panelPage';

/** The notifications on screen (an activation failure shows up there), for a failure message. */
export async function notifications(page: Page): Promise<string> {
  const toasts = page.locator('.notification-toast');
  return (await toasts.allInnerTexts().catch(() => [])).join(' | ').replace(/\s+/g, ' ') || 'none';
}

export const toast = (page: Page, text: string): Locator => page.locator('.notification-toast', { hasText: text }).first();

/** Error toasts stay until dismissed; later screenshots should show the tree, not them. */
export async function clearNotifications(page: Page): Promise<void> {
  await palette(page, 'Notifications: Clear All Notifications');
}

/** The text editor on screen. */
export const editorLines = (page: Page): Locator =>
  page.locator('.editor-instance .monaco-editor .view-lines').filter({ visible: true }).first();

/** The editor's text (Monaco renders spaces as no-break spaces). */
export const editorText = async (page: Page): Promise<string> => (await editorLines(page).innerText()).replace(/\u00a0/g, ' ');

/** The editor's non-empty lines, trimmed. */
export const editorLinesText = async (page: Page): Promise<string[]> =>
  (await editorText(page))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** VS Code's modal dialog, once it shows. */
export async function modal(page: Page): Promise<Locator> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 30_000 });
  return dialog;
}
