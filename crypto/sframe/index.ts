// Public surface of crypto/sframe (RFC 9605). Re-exports only.
export { type SFrameHeader, SFRAME_HEADER_MAX_BYTES, U64_MAX, decodeSFrameHeader, encodeSFrameHeader, sframeHeaderLength } from './header';
export { CipherSuite, DEFAULT_MEDIA_SUITE, SUITES, type SuiteParams, isCipherSuite, suiteParams } from './suites';
export { BASE_KEY_MAX_BYTES, BASE_KEY_MIN_BYTES, type SFrameKeyMaterial, deriveSFrameKeyMaterial, sframeKeyLabel, sframeNonce, sframeSaltLabel } from './keys';
export { type SFrameDecryptInput, type SFrameDecrypted, type SFrameEncryptInput, sframeDecrypt, sframeEncrypt } from './sframe';
export { DEFAULT_REPLAY_WINDOW, ReplayWindow } from './replay';
export { KID_SENDER_BITS, describeKid } from './kid';
export { SFrameSender } from './sender';
export { SFrameReceiver, type SFrameReceiverOptions } from './receiver';
