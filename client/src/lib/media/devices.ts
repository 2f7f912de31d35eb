// Device choice after the list of devices changed (hot-plug): keep the chosen device while it is
// there, else fall back to the system default, else the first one; '' when there is none.
export interface DeviceEntry {
  readonly deviceId: string;
}

export function deviceAfterChange(list: readonly DeviceEntry[], chosen: string): string {
  if (list.some((d) => d.deviceId === chosen)) return chosen;
  return (list.find((d) => d.deviceId === 'default') ?? list[0])?.deviceId ?? '';
}

/** Whether this browser can choose where audio plays (HTMLMediaElement.setSinkId). */
export function canChooseSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/** The picker's name for "wherever the system plays sound": '' is the default output in every engine's setSinkId. */
export const SYSTEM_DEFAULT_SPEAKER = '';

export interface SpeakerChoice {
  readonly deviceId: string;
  readonly label: string;
}

/**
 * What the speaker picker offers. Chromium lists a 'default' output of its own; Firefox lists no
 * outputs at all until a page calls selectAudioOutput(), so there the system default is the one
 * choice, instead of an empty picker.
 */
export function speakerChoices(listed: readonly SpeakerChoice[]): SpeakerChoice[] {
  const outputs = listed.filter((d) => d.deviceId !== SYSTEM_DEFAULT_SPEAKER).map(({ deviceId, label }) => ({ deviceId, label }));
  if (outputs.some((d) => d.deviceId === 'default')) return outputs;
  return [{ deviceId: SYSTEM_DEFAULT_SPEAKER, label: '' }, ...outputs]; // the view words the default
}

/** The choice the picker shows as selected: the chosen speaker while offered, else the first (the default). */
export function selectedSpeaker(choices: readonly SpeakerChoice[], chosen: string): string {
  return choices.some((d) => d.deviceId === chosen) ? chosen : (choices[0]?.deviceId ?? SYSTEM_DEFAULT_SPEAKER);
}

/**
 * The sink id to give setSinkId for the chosen speaker, or null when there is nothing to do: the
 * choice is already applied, or nothing was ever chosen (every engine starts on the default output,
 * and Firefox rejects Chromium's 'default' id).
 */
export function sinkToApply(chosen: string, applied: string | null): string | null {
  if (chosen === applied) return null;
  if (chosen === SYSTEM_DEFAULT_SPEAKER && applied === null) return null;
  return chosen;
}
