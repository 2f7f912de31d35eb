// The speaker choice (client/src/lib/media/devices.ts) across engines: Chromium lists its own
// 'default' output, Firefox lists none and rejects setSinkId('default').
import { describe, expect, it } from 'vitest';
import { SYSTEM_DEFAULT_SPEAKER, selectedSpeaker, sinkToApply, speakerChoices } from '../../client/src/lib/media/devices';

const chromium = [
  { deviceId: 'default', label: 'Default' },
  { deviceId: 'fake-1', label: 'Fake Audio Output 1' },
];

describe('speakerChoices', () => {
  it('offers the system default where the engine lists no outputs (Firefox), instead of nothing', () => {
    expect(speakerChoices([])).toEqual([{ deviceId: SYSTEM_DEFAULT_SPEAKER, label: '' }]); // worded by the view
    expect(speakerChoices([{ deviceId: 'usb', label: 'USB' }]).map((d) => d.deviceId)).toEqual(['', 'usb']);
  });

  it("keeps Chromium's list as it is, its own 'default' entry included", () => {
    expect(speakerChoices(chromium)).toEqual(chromium);
  });
});

describe('selectedSpeaker', () => {
  it('shows the chosen speaker while it is offered, else the first choice', () => {
    expect(selectedSpeaker(speakerChoices(chromium), 'fake-1')).toBe('fake-1');
    expect(selectedSpeaker(speakerChoices(chromium), '')).toBe('default');
    expect(selectedSpeaker(speakerChoices([]), '')).toBe('');
    expect(selectedSpeaker(speakerChoices([]), 'gone')).toBe('');
  });
});

describe('sinkToApply', () => {
  it('sets nothing until a speaker is chosen (Firefox rejects the id "default")', () => {
    expect(sinkToApply('', null)).toBeNull();
  });

  it('applies a new choice once, and the system default after a chosen speaker', () => {
    expect(sinkToApply('fake-1', null)).toBe('fake-1');
    expect(sinkToApply('fake-1', 'fake-1')).toBeNull();
    expect(sinkToApply('', 'fake-1')).toBe('');
    expect(sinkToApply('default', null)).toBe('default');
  });
});
