import { startApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';

const REPEAT_MS = 100;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL);
  const app = await startApp(config, logger);

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down: draining requests');
    const timer = setTimeout(() => {
      logger.error('grace period over; exiting');
      process.exit(1);
    }, config.SHUTDOWN_GRACE_MS);
    timer.unref();
    app.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  // Supervisors and people repeat themselves (a process manager forwarding each stop request, Ctrl-C
  // pressed twice): a second signal must not cut the drain short and drop the requests in flight, as
  // Node's default action would once a one-time handler is spent. A third exits at once, for an
  // operator who really means it; SHUTDOWN_GRACE_MS bounds the drain either way.
  // One Ctrl-C under `npm start` arrives twice within milliseconds (from the terminal to the process group,
  // and forwarded by npm): a repeat of the same signal within REPEAT_MS is the same request.
  let signals = 0;
  let last: { signal: NodeJS.Signals; at: number } | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (last && last.signal === signal && now - last.at < REPEAT_MS) return;
    last = { signal, at: now };
    signals += 1;
    if (signals === 1) shutdown(signal);
    else if (signals === 2) logger.warn({ signal }, 'already draining; a third signal exits without waiting');
    else {
      logger.error({ signal }, 'third signal: exiting without waiting for the drain');
      process.exit(1);
    }
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  // One line, for a terminal and for a log collector alike.
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim();
  process.stderr.write(`CT-EWN Graph failed to start: ${message}\n`);
  process.exit(1);
});
