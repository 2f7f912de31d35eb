// One JSON line per event. Fields are ids, counts and codes only: never credentials, tokens,
// payloads, names or key material. The type allows only primitives to keep it that way by habit.
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
}

export function createLogger(level: 'info' | 'silent', write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Logger {
  const emit = (severity: string, event: string, fields: LogFields = {}) => {
    if (level === 'silent') return;
    write(JSON.stringify({ t: new Date().toISOString(), level: severity, event, ...fields }));
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
  };
}
