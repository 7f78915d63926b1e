import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs; tokens and authorization headers are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'ct-ewn-graph' },
    redact: { paths: ['req.headers.authorization', '*.authorization', '*.token'], censor: '[redacted]' },
  });
}
