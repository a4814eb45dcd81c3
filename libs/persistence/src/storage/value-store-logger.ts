/** The logging the value stores need (skipped corrupt records); a pino child logger satisfies it. */
export interface ValueStoreLogger {
  warn(obj: object, msg?: string): void;
}

export const silentValueStoreLogger: ValueStoreLogger = { warn() {} };

/** Collaborators of the disk and MongoDB value stores. */
export interface ValueStoreComponents {
  /** Where a corrupt record skipped by `range()` is reported. @default silent */
  readonly logger?: ValueStoreLogger;
}
