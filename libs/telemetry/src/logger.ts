import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerInit {
  /** Component or app name, the `name` field of every line. */
  readonly name: string;
  /** @default 'info' */
  readonly level?: string;
  /** @default standard output (JSON lines, one per event) */
  readonly destination?: DestinationStream;
}

/** A JSON-lines pino logger; components take children of it named after themselves. */
export function createLogger(init: LoggerInit): Logger {
  const options = { name: init.name, level: init.level ?? 'info', base: { pid: process.pid } };
  return init.destination ? pino(options, init.destination) : pino(options);
}

/** A logger that drops everything, for tests that assert behaviour rather than logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
