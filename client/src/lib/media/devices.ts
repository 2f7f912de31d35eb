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
