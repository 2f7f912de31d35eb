// How this layer words a KID in errors. Sealroom's KIDs are epoch << 6 | sender index (the epoch
// layer builds them); SFrame itself treats a KID as an opaque u64 (RFC 9605 §4.3), so the split is
// used here only to name the epoch and sender in messages and to pick the unknown-key reason.
import { Reason, UnknownKeyError } from '../errors';

import { KID_SENDER_BITS } from '../limits';

export function describeKid(kid: bigint, senderBits: number = KID_SENDER_BITS): string {
  const epoch = kid >> BigInt(senderBits);
  const sender = kid & ((1n << BigInt(senderBits)) - 1n);
  return `KID ${kid} (epoch ${epoch}, sender ${sender})`;
}

/**
 * UnknownKeyError for a KID with no key: reason unknown-sender when a key of the same epoch is
 * held (so the epoch is known but not this sender), unknown-epoch otherwise.
 */
export function unknownKeyError(kid: bigint, held: Iterable<bigint>, senderBits: number, role: string): UnknownKeyError {
  const shift = BigInt(senderBits);
  const epoch = kid >> shift;
  let epochKnown = false;
  for (const other of held) {
    if (other >> shift === epoch) {
      epochKnown = true;
      break;
    }
  }
  const reason = epochKnown ? Reason.unknownSender : Reason.unknownEpoch;
  return new UnknownKeyError(reason, `${role} holds no key for ${describeKid(kid, senderBits)}`);
}
