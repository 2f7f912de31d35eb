// Public surface of crypto/sframe (RFC 9605). Re-exports only.
export { type SFrameHeader, SFRAME_HEADER_MAX_BYTES, decodeSFrameHeader, encodeSFrameHeader, sframeHeaderLength } from './header';
export { CipherSuite, DEFAULT_MEDIA_SUITE, SUITES, type SuiteParams, isCipherSuite, suiteParams } from './suites';
export { type SFrameKeyMaterial, deriveSFrameKeyMaterial, sframeKeyLabel, sframeNonce, sframeSaltLabel } from './keys';
export { type SFrameDecryptInput, type SFrameDecrypted, type SFrameEncryptInput, sframeDecrypt, sframeEncrypt } from './sframe';
export { ReplayWindow } from './replay';
export { describeKid } from './kid';
export { SFrameSender } from './sender';
export { SFrameReceiver, type SFrameReceiverOptions } from './receiver';
