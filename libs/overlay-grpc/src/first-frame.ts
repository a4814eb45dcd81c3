import type { overlayV1 } from '@p2psip/proto';
import { LinkRefusedError } from './errors';

interface Readable {
  once(event: 'data', listener: (frame: overlayV1.LinkFrame) => void): unknown;
  once(event: 'end' | 'close', listener: () => void): unknown;
  once(event: 'error', listener: (error: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
}

/** The hello that must open every link, within a deadline; anything else refuses the link. */
export function readHello(
  stream: Readable,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<overlayV1.LinkHello> {
  return new Promise((resolve, reject) => {
    const finish = (error: Error | undefined, hello?: overlayV1.LinkHello): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      stream.removeAllListeners('end');
      if (error) reject(error);
      else resolve(hello as overlayV1.LinkHello);
    };
    const onAbort = (): void => finish(new LinkRefusedError('aborted before the hello'));
    const timer = setTimeout(
      () => finish(new LinkRefusedError(`no hello within ${timeoutMs} ms`)),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    stream.once('data', (frame) =>
      frame.kind?.$case === 'hello'
        ? finish(undefined, frame.kind.hello)
        : finish(new LinkRefusedError('the first frame was not a hello')),
    );
    stream.once('end', () => finish(new LinkRefusedError('the stream ended before the hello')));
    stream.once('error', (error) =>
      finish(new LinkRefusedError(`stream failed before the hello: ${error.message}`, { cause: error })),
    );
  });
}
