/** A storage failure that is not a RELOAD answer: bad encodings, closed stores, bad settings. */
export class StorageError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StorageError';
  }
}
