import type { FrameStream } from './grpc-link';

/** How long a locally closed stream lets queued frames drain before it is cancelled. */
const DRAIN_MS = 2000;

/**
 * Ends a link's or a trunk's stream: end() first so frames already queued still go out; cancel
 * only if they do not within DRAIN_MS (or at once if the stream cannot be ended).
 */
export function drainAndEnd(stream: Pick<FrameStream, 'end' | 'cancel' | 'writableEnded'>): void {
  try {
    if (!stream.writableEnded) stream.end();
  } catch {
    stream.cancel?.();
  }
  const cancel = stream.cancel?.bind(stream);
  if (cancel) setTimeout(cancel, DRAIN_MS).unref();
}
