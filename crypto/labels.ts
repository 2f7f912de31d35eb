// Every domain-separation string in Sealroom: KDF labels, hash prefixes and signature contexts.
// Nothing outside this file spells a label. tests/unit/labels.test.ts proves that they are all
// distinct and that none is a prefix of another, and that no two derivations share a label.
//
// Our own labels all start with "sealroom/v1/". The SFrame labels are fixed by RFC 9605 §4.4.2.

const P = 'sealroom/v1/';

export const Label = {
  // --- link secret (the URL fragment) -> per-room values. crypto/link.ts
  /** HKDF-like derivation of the bearer token a guest shows the server to open a socket. */
  accessToken: `${P}link/access-token`,
  /** Hash the server stores in place of the access token. */
  accessVerifier: `${P}link/access-verifier`,
  /** Key of the MAC that binds a join request to the link secret and room id. */
  joinMacKey: `${P}link/join-mac-key`,
  /** AEAD key that wraps the lobby record (lobby.ts): who the host is, for guests who knock. */
  lobbyKey: `${P}link/lobby-key`,
  /** AEAD key that wraps the room's title, description and start time. */
  roomInfoKey: `${P}link/room-info-key`,

  // --- identity. crypto/identity.ts
  /** Fingerprint of an Ed25519 identity key (URL fragment, UI). */
  fingerprint: `${P}identity/fingerprint`,
  /** Signature context: an identity key vouches for its per-room X25519 key. */
  sigRoomKey: `${P}sig/room-key`,

  // --- join request. crypto/join.ts
  /** MAC input prefix of a join request. */
  joinMac: `${P}join/mac`,

  // --- commits and epochs. crypto/commit.ts, crypto/epoch.ts
  /** Signature context of a host commit. */
  sigCommit: `${P}sig/commit`,
  /** AEAD key of one epoch that wraps its commit: only members of that epoch derive it. */
  epochCommitKey: `${P}epoch/commit-key`,
  /** Key of the previous epoch that wraps the next commit's key, so a removed member learns it was removed. */
  epochHandoffKey: `${P}epoch/handoff-key`,
  /** Signature context of a host hand-over in the lobby record (lobby.ts). */
  sigHostHandover: `${P}sig/host-handover`,
  /** Hash of a signed commit, chained into the next commit. */
  commitHash: `${P}commit/hash`,
  /** Public commitment to an epoch secret, carried in the signed commit. */
  epochSecretCommitment: `${P}epoch/secret-commitment`,
  /** Per-sender SFrame base key of an epoch. */
  sframeBaseKey: `${P}epoch/sframe-base-key`,
  /** Key for chat and other in-call messages of an epoch. */
  appMessageKey: `${P}epoch/app-message-key`,
  /** Signature context of an in-call application message (crypto/app-message.ts). */
  sigAppMessage: `${P}sig/app-message`,
  /** Key members use to confirm to each other which commit they hold. */
  epochConfirmKey: `${P}epoch/confirm-key`,
  /** MAC over the commit hash a member holds, under the confirm key (crypto/confirm.ts). */
  epochConfirmMac: `${P}epoch/confirm-mac`,

  // --- media signatures ([M1]). crypto/media-batch.ts
  /** Key of the keyed hash that gives each protected frame its digest in a signed batch. */
  mediaFrameDigest: `${P}media/frame-digest`,
  /** Signature context of a media batch, under a per-page media signing key. */
  sigMediaBatch: `${P}sig/media-batch`,

  // --- verification codes. crypto/safety.ts
  /** Call security code from the head of the commit chain. */
  callCode: `${P}code/call`,
  /** Pairwise safety number: per-key iterated hash input prefix (libsignal-style, versioned). */
  safetyNumber: `${P}code/safety-number`,
  /** Knock code: a short code from a knocker's keys, compared by host and guest. crypto/knock-code.ts */
  knockCode: `${P}code/knock`,

  // --- the signaling server's host authority. crypto/host-authority.ts (not part of the commit chain)
  /** Signature context: a connection proves it holds the room's per-room host key. */
  sigHostProof: `${P}sig/server-host-proof`,
  /** Signature context: the outgoing host key names the incoming one. */
  sigServerHandOver: `${P}sig/server-host-handover`,

  // --- SFrame, RFC 9605 §4.4.2 (fixed by the RFC; KID and suite are appended as bytes)
  sframeKey: 'SFrame 1.0 Secret key ',
  sframeSalt: 'SFrame 1.0 Secret salt ',
} as const;

export type LabelName = keyof typeof Label;
