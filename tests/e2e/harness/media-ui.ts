// Drives Sealroom's call controls for the media features tests: the settings dialog (devices and
// effects), screen sharing and the layout toggle, through their data-testid contract.
import type { Page } from 'playwright-core';
import { waitUntil, type WaitOptions } from './wait';

export type SettingsSelect = 'camera-select' | 'mic-select' | 'speaker-select' | 'noise-select' | 'background-select';

/** Opens the settings dialog, chooses `value` in one of its selects, waits until applied, closes it. */
export async function chooseSetting(page: Page, select: SettingsSelect, value: string, options?: WaitOptions): Promise<void> {
  await page.getByTestId('open-settings').click();
  const dialog = page.getByTestId('settings-dialog');
  await dialog.getByTestId(select).selectOption(value);
  await waitUntil(`the ${select} change to be applied`, () => dialog.getByTestId('effects').getAttribute('data-busy', { timeout: 1000 }), (busy) => busy === 'false', options);
  await dialog.getByTestId('close-settings').click();
}

/** The options a settings select offers, as [value, label]. */
export async function settingOptions(page: Page, select: SettingsSelect): Promise<[string, string][]> {
  return page
    .getByTestId('settings-dialog')
    .getByTestId(select)
    .locator('option')
    .evaluateAll((options) => options.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? ''] as [string, string]));
}

/** The value a settings select shows now (the dialog need not be open). */
export function settingValue(page: Page, select: SettingsSelect): Promise<string> {
  return page.getByTestId('settings-dialog').getByTestId(select).inputValue({ timeout: 1000 });
}

/** What the call view shows: 'grid', 'speaker' or 'screen'. */
export function callView(page: Page): Promise<string | null> {
  return page.getByTestId('call-view').getAttribute('data-view', { timeout: 1000 });
}
