import { SipParseError } from './errors';

/**
 * The SipParseError reason a call fails with, or undefined if it succeeds. Any other error is
 * rethrown, so a test using this also asserts "SipParseError and nothing else".
 */
export function parseFailure(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof SipParseError) return error.reason;
    throw error;
  }
}
