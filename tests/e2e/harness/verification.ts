// Reads the verification UI the way a person uses it: open a member's safety-number dialog from
// the member list, read its digits, scan its QR code off the screen (the SVG drawn onto a canvas,
// decoded with @paulmillr/qr's reader), mark as verified; and read the code-changed notice.
import { decodeQR } from '@paulmillr/qr/decode.js';
import { type Page } from 'playwright-core';
import { waitUntil, type WaitOptions } from './wait';

/** Canvas pixels per QR module when the code is scanned. */
const SCAN_SCALE = 4;

export interface SafetyNumberView {
  /** The 60 digits as shown. */
  digits: string;
  /** What a scanner reads from the QR code on screen. */
  scanned: string;
}

const memberItem = (page: Page, participantId: string) => page.locator(`[data-testid=member][data-participant="${participantId}"]`);

/** Opens the member's dialog from its entry in the member list or from its key-changed warning, reads it, and leaves it open. */
export async function openSafetyNumber(page: Page, participantId: string, from: 'member-list' | 'key-changed' = 'member-list'): Promise<SafetyNumberView> {
  const dialog = page.locator(`[data-testid=safety-dialog][data-participant="${participantId}"]`);
  const button =
    from === 'member-list'
      ? memberItem(page, participantId).getByTestId('verify-member')
      : page.locator(`[data-testid=key-changed][data-participant="${participantId}"]`).getByTestId('compare-changed');
  await button.click();
  await dialog.getByTestId('safety-number').waitFor({ state: 'visible', timeout: 30_000 });
  const digits = (await dialog.getByTestId('safety-number').textContent()) ?? '';
  return { digits, scanned: await scanQr(page) };
}

export async function closeSafetyNumber(page: Page): Promise<void> {
  await page.getByTestId('safety-dialog').getByTestId('close-safety').click();
  await page.getByTestId('safety-dialog').waitFor({ state: 'detached', timeout: 10_000 });
}

/** Marks the member whose dialog is open as verified, and waits until the dialog says so. */
export async function markVerified(page: Page): Promise<void> {
  const dialog = page.getByTestId('safety-dialog');
  await dialog.getByTestId('mark-verified').click();
  await dialog.getByTestId('verified-note').waitFor({ state: 'visible', timeout: 10_000 });
}

/** The member's status in the member list: 'verified', 'key-changed', 'unverified', or null. */
export function contactStatus(page: Page, participantId: string): Promise<string | null> {
  return memberItem(page, participantId).getAttribute('data-contact', { timeout: 5_000 });
}

export function waitForContactStatus(page: Page, participantId: string, status: string, options?: WaitOptions): Promise<string | null> {
  return waitUntil(`member ${participantId} shown as ${status}`, () => contactStatus(page, participantId), (s) => s === status, options);
}

export interface CodeChangedView {
  epoch: number;
  text: string;
}

/** The code-changed notice, or null when none is shown. */
export async function codeChanged(page: Page): Promise<CodeChangedView | null> {
  const notice = page.getByTestId('code-changed');
  if ((await notice.count()) === 0) return null;
  const [epoch, text] = await Promise.all([notice.getAttribute('data-epoch', { timeout: 5_000 }), notice.textContent({ timeout: 5_000 })]);
  return { epoch: Number(epoch), text: text ?? '' };
}

/** Draws the open dialog's QR code onto a canvas in the page and decodes the pixels. */
async function scanQr(page: Page): Promise<string> {
  const image = await page
    .getByTestId('safety-dialog')
    .getByTestId('safety-qr')
    .evaluate(async (svg, scale) => {
      const size = (svg as SVGSVGElement).viewBox.baseVal.width * scale;
      const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(svg)], { type: 'image/svg+xml' }));
      try {
        const picture = new Image();
        picture.src = url;
        await picture.decode();
        const canvas = document.createElement('canvas');
        canvas.width = size;
        canvas.height = size;
        const context = canvas.getContext('2d');
        if (context === null) throw new Error('no 2d canvas');
        context.drawImage(picture, 0, 0, size, size);
        return { width: size, height: size, data: Array.from(context.getImageData(0, 0, size, size).data) };
      } finally {
        URL.revokeObjectURL(url);
      }
    }, SCAN_SCALE);
  return decodeQR({ width: image.width, height: image.height, data: Uint8Array.from(image.data) });
}
