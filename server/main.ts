// Entry point (`tsx server/main.ts`): read the environment once, start, and shut down cleanly.
import { ConfigError, loadConfig } from './config';
import { startServer } from './app';
import { createLogger } from './log';
import { installShutdown } from './shutdown';

try {
  const config = loadConfig(process.env);
  const log = createLogger(config.logLevel);
  const server = await startServer(config, log);
  installShutdown(server, log);
} catch (e) {
  process.stderr.write(e instanceof ConfigError ? `${e.message}\n` : `sealroom server failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
