/** The command line was wrong (unknown option, missing argument, bad value): exit code 2. */
export class UsageError extends Error {
  readonly code = 'USAGE';

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
