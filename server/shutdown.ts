// Graceful shutdown on SIGINT/SIGTERM: the first signal closes every socket with 1001, stops
// accepting and exits 0 once the server is down; a second signal exits at once with 1.
import type { Logger } from './log';

export interface SignalSource {
  on(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export function installShutdown(server: { close(): Promise<void> }, log: Logger, source: SignalSource = process, exit: (code: number) => void = (c) => process.exit(c)): void {
  let shuttingDown = false;
  const onSignal = (signal: 'SIGINT' | 'SIGTERM') => () => {
    if (shuttingDown) {
      log.warn('server.forced-exit', { signal });
      exit(1);
      return;
    }
    shuttingDown = true;
    log.info('server.shutting-down', { signal });
    server.close().then(
      () => exit(0),
      () => exit(1),
    );
  };
  source.on('SIGINT', onSignal('SIGINT'));
  source.on('SIGTERM', onSignal('SIGTERM'));
}
