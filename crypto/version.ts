// The version-byte rule shared by every format in the protocol half of crypto/: a lower version
// than this code speaks is a retired format (old-version), a higher one is unknown (unknown-version).
import { Reason, VersionError } from './errors';

export function checkVersion(got: number, expected: number, what: string): void {
  if (got === expected) return;
  const reason = got < expected ? Reason.oldVersion : Reason.unknownVersion;
  throw new VersionError(reason, `${what} version ${got} is not supported (this code speaks ${expected})`);
}
