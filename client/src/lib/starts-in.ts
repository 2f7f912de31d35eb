// "Starts in 25 minutes" for a scheduled room: a sentence from the start time and the clock, pure.
export function startsIn(startsAt: number, now: number): string {
  const minutes = Math.round((startsAt - now) / 60_000);
  if (minutes <= 0) return minutes < -1 ? `Started ${formatSpan(-minutes)} ago` : 'Starting now';
  return `Starts in ${formatSpan(minutes)}`;
}

function formatSpan(minutes: number): string {
  if (minutes < 60) return minutes === 1 ? '1 minute' : `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return hours === 1 ? '1 hour' : `${hours} hours`;
  const days = Math.round(hours / 24);
  return `${days} days`;
}
