// The scannable form of a safety number: the versioned bytes of crypto/safety.ts
// safetyNumberBytes (61 bytes) as base64url text in a QR code (lib/qr.ts).
import { toBase64Url } from '../../../../crypto/index';
import { qrDrawing, type QrDrawing } from '../qr';

export { QUIET_ZONE, type QrDrawing } from '../qr';

export function safetyQr(bytes: Uint8Array): QrDrawing {
  return qrDrawing(toBase64Url(bytes));
}
