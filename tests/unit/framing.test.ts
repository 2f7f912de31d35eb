import { describe, expect, it } from 'vitest';
import { Reason, CLEAR_BYTES, clearPrefixLength, mediaFrameType, splitMediaFrame, SFRAME_HEADER_MAX_BYTES } from '../../crypto/index';

const START_CODE = [0x9d, 0x01, 0x2a];
const vp8Key = (payload: number): Uint8Array => Uint8Array.of(0x50, 0x12, 0x00, ...START_CODE, 0x80, 0x02, 0xe0, 0x01, ...new Array<number>(payload).fill(0x33));
const vp8Delta = (payload: number): Uint8Array => Uint8Array.of(0x31, 0x05, 0x00, ...new Array<number>(payload).fill(0x44));

describe('media clear bytes', () => {
  it('declares one row per codec and frame type, plus the SFrame header, in the table', () => {
    const rows = CLEAR_BYTES.map((r) => `${r.codec}/${r.frame}:${r.minBytes}-${r.maxBytes}`);
    expect(rows).toEqual(['vp8/key:10-10', 'vp8/delta:3-3', 'opus/any:0-0', 'any/any:1-17']);
    expect(CLEAR_BYTES[3].maxBytes).toBe(SFRAME_HEADER_MAX_BYTES);
  });

  it('reads a VP8 key frame from bit 0 of byte 0 being 0, and keeps its 10 header bytes clear', () => {
    const frame = vp8Key(20);
    expect(mediaFrameType('vp8', frame)).toBe('key');
    const { prefix, rest } = splitMediaFrame('vp8', frame);
    expect(prefix).toEqual(frame.subarray(0, 10));
    expect(rest).toEqual(frame.subarray(10));
  });

  it('keeps only the 3-byte frame tag of a VP8 delta frame clear', () => {
    const frame = vp8Delta(20);
    expect(mediaFrameType('vp8', frame)).toBe('delta');
    expect(clearPrefixLength('vp8', frame)).toBe(3);
  });

  it('keeps no Opus byte clear', () => {
    expect(mediaFrameType('opus', Uint8Array.of(0xfc, 1, 2))).toBe('audio');
    expect(clearPrefixLength('opus', Uint8Array.of(0xfc, 1, 2))).toBe(0);
    expect(clearPrefixLength('opus', new Uint8Array(0))).toBe(0);
  });

  it('accepts frames exactly as long as their clear prefix', () => {
    expect(splitMediaFrame('vp8', vp8Key(0)).rest).toHaveLength(0);
    expect(splitMediaFrame('vp8', vp8Delta(0)).rest).toHaveLength(0);
  });

  it('rejects a VP8 frame shorter than its clear prefix as truncated', () => {
    for (const frame of [new Uint8Array(0), vp8Key(0).subarray(0, 9), vp8Delta(0).subarray(0, 2)]) {
      expect(() => clearPrefixLength('vp8', frame)).toThrow(expect.objectContaining({ name: 'CodecError', reason: Reason.truncated }));
    }
  });

  it('rejects a VP8 key frame without the 9d 01 2a start code as malformed', () => {
    for (const index of [3, 4, 5]) {
      const frame = vp8Key(4);
      frame[index] = (frame[index] as number) ^ 0x10;
      expect(() => clearPrefixLength('vp8', frame)).toThrow(expect.objectContaining({ name: 'CodecError', reason: Reason.malformed }));
    }
  });

  it('refuses a codec it does not know', () => {
    expect(() => clearPrefixLength('h264' as 'vp8', vp8Delta(3))).toThrow(expect.objectContaining({ name: 'ParameterError', reason: Reason.outOfRange }));
  });
});
