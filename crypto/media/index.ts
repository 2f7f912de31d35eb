// Public surface of crypto/media: clear-byte table, frame splitting, per-frame protection. Re-exports only.
export { CLEAR_BYTES, type ClearByteRule, type MediaCodec, type MediaFrameType, type SplitFrame, clearPrefixLength, mediaFrameType, splitMediaFrame } from './framing';
export { MEDIA_CODEC_ID, type ProtectMediaInput, type ReceivedMediaFrame, type UnprotectMediaInput, type UnprotectedMediaFrame, openMediaFrame, parseMediaFrame, protectMediaFrame, unprotectMediaFrame } from './protect';
