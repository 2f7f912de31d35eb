import { describe, expect, it } from 'vitest';
import { CodecError, Reason, VersionError } from '../../crypto/index';
import { decodeMediaState, encodeMediaState } from '../../client/src/lib/presence/media-state';
import { applyMediaState } from '../../client/src/lib/presence/tile-media';
import { expectError } from '../scenario/errors';

describe('media state body', () => {
  it('round-trips every combination in two bytes', () => {
    for (const micOn of [false, true]) {
      for (const cameraOn of [false, true]) {
        for (const ask of [false, true]) {
          const bytes = encodeMediaState({ micOn, cameraOn, ask });
          expect(bytes).toHaveLength(2);
          expect(decodeMediaState(bytes)).toEqual({ micOn, cameraOn, ask });
        }
      }
    }
    expect(encodeMediaState({ micOn: true, cameraOn: false, ask: true })).toEqual(Uint8Array.of(1, 0b101));
  });

  it('decodes only an exact, current-version body', () => {
    expectError(() => decodeMediaState(Uint8Array.of(0, 1)), VersionError, Reason.oldVersion);
    expectError(() => decodeMediaState(Uint8Array.of(2, 1)), VersionError, Reason.unknownVersion);
    expectError(() => decodeMediaState(Uint8Array.of(1)), CodecError, Reason.truncated);
    expectError(() => decodeMediaState(Uint8Array.of(1, 1, 0)), CodecError, Reason.trailingBytes);
    expectError(() => decodeMediaState(Uint8Array.of(1, 0b1000)), CodecError, Reason.malformed);
  });
});

describe("a remote tile's microphone and camera", () => {
  const video = { kind: 'video track' };

  it("follow the member's sealed state over LiveKit's mute flag, both ways", () => {
    // The SFU says the microphone is on; the member says it is off, and the other way round.
    expect(applyMediaState({ micOn: true, video }, { micOn: false, cameraOn: true }).micOn).toBe(false);
    expect(applyMediaState({ micOn: false, video }, { micOn: true, cameraOn: true }).micOn).toBe(true);
  });

  it('show no picture when the member says its camera is off, whatever track the SFU delivers', () => {
    expect(applyMediaState({ micOn: true, video }, { micOn: true, cameraOn: false }).video).toBeUndefined();
    expect(applyMediaState({ micOn: true, video }, { micOn: true, cameraOn: true }).video).toBe(video);
  });

  it("fall back to LiveKit's view until the member's state has arrived", () => {
    const tile = { micOn: false, video };
    expect(applyMediaState(tile, undefined)).toBe(tile);
  });
});
