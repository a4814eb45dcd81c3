import { LinkRefusedError } from './errors';

interface Readable<F> {
  once(event: 'data', listener: (frame: F) => void): unknown;
  once(event: 'end' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
}

/**
 * The first frame of a stream, within a deadline (link hellos, a thin client's ClientHello).
 * Rejects with LinkRefusedError when the stream ends, fails or is aborted first.
 */
export function readFirstFrame<F>(stream: Readable<F>, timeoutMs: number, signal?: AbortSignal): Promise<F> {
  return new Promise((resolve, reject) => {
    const finish = (error: Error | undefined, frame?: F): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stream.removeAllListeners('end');
      if (error) reject(error);
      else resolve(frame as F);
    };
    const onAbort = (): void => finish(new LinkRefusedError('aborted before the first frame'));
    const timer = setTimeout(
      () => finish(new LinkRefusedError(`no first frame within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('data', (frame) => finish(undefined, frame));
    stream.once('end', () => finish(new LinkRefusedError('the stream ended before the first frame')));
    stream.once('error', (error) =>
      finish(
        new LinkRefusedError(`stream failed before the first frame: ${error.message}`, { cause: error }),
      ),
    );
  });
}
