// Typed failures of the headless protocol driver (test and bench code, not product code).
// `kind` says what went wrong so a test can assert on it without matching message text.

export type DriverErrorKind =
  /** A wait did not see its condition in time. */
  | 'timeout'
  /** The socket closed (or the server sent an invalid frame) before a wait's condition held. */
  | 'closed'
  /** POST /api/rooms or the WebSocket upgrade was refused. */
  | 'refused'
  /** A message this driver was about to send does not pass the ClientMessage schema. */
  | 'invalid-outgoing'
  /** A host command from a participant that is not the host. */
  | 'not-host'
  /** admit() named a participant with no verified knock pending. */
  | 'no-knock'
  /** remove() named a participant that is not in the member list. */
  | 'not-member'
  /** crypto/ refused to make the host's commit (e.g. the room is full); nothing was sent. */
  | 'commit-refused';

export class DriverError extends Error {
  readonly kind: DriverErrorKind;
  constructor(kind: DriverErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = 'DriverError';
  }
}
