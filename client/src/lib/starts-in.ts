// "Starts in 25 minutes" for a scheduled room, and the start time itself, through Intl in the page's
// language: a Message from the start time and the clock, pure (the Intl tag is passed in).
import { message, type Message } from './i18n/message';

export function startsIn(startsAt: number, now: number, tag: string): Message {
  const minutes = Math.round((startsAt - now) / 60_000);
  if (minutes <= 0 && minutes >= -1) return message('room.startingNow');
  const when = relative(minutes, tag);
  return message(minutes > 0 ? 'room.startsIn' : 'room.startedAgo', { when });
}

/** The start as a date and a time, e.g. "1 Dec 2026, 20:30" / « 1 déc. 2026, 20:30 ». */
export function startTime(startsAt: number, tag: string): string {
  return new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short' }).format(startsAt);
}

/** "in 25 minutes", "2 hours ago", "in 3 days": the largest sensible unit. */
function relative(minutes: number, tag: string): string {
  const format = new Intl.RelativeTimeFormat(tag, { numeric: 'always' });
  const span = Math.abs(minutes);
  if (span < 60) return format.format(minutes, 'minute');
  const hours = Math.round(minutes / 60);
  if (Math.abs(hours) < 48) return format.format(hours, 'hour');
  return format.format(Math.round(hours / 24), 'day');
}
