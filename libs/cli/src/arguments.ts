import { InvalidArgumentError } from 'commander';

/** A commander parser for integers in [min, max]; anything else is a usage error naming the range. */
export function integerArgument(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(
        max === Number.MAX_SAFE_INTEGER
          ? `expected an integer ≥ ${min}`
          : `expected an integer in ${min}..${max}`,
      );
    }
    return value;
  };
}

/** A TCP port, 0 meaning "any free port". */
export const portArgument = integerArgument(0, 65535);

/** Resolves on the first SIGTERM or SIGINT: how services wait before stopping. */
export function waitForStopSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
}
