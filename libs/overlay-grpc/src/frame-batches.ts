import { overlayV1, peerV1 } from '@p2psip/proto';
import type { BatchFormat } from './frame-coalescer';

/** A view of the encoder's output as the Buffer a bytes field holds, without copying it. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Trunk frames in a LinkBatch. */
export const linkBatchFormat: BatchFormat<overlayV1.LinkFrame> = {
  encode: (frame) => overlayV1.LinkFrame.encode(frame).finish(),
  wrap: (frames) => ({
    sequence: 0n,
    link: 0,
    kind: { $case: 'batch', batch: { frames: frames.map(asBuffer) } },
  }),
};

/** Connect-stream frames in a ClientBatch. */
export const clientBatchFormat: BatchFormat<peerV1.ClientFrame> = {
  encode: (frame) => peerV1.ClientFrame.encode(frame).finish(),
  wrap: (frames) => ({
    kind: { $case: 'batch', batch: { frames: frames.map(asBuffer) } },
    acceptsBatches: false,
  }),
};

/**
 * The frames a batch carries, in order. A frame that does not decode is skipped (the others are
 * intact: each is length-delimited by the batch), and so is a batch inside a batch, which no
 * sender makes.
 */
export function unpackBatch<F extends { kind?: { $case: string } | undefined }>(
  frames: readonly Uint8Array[],
  decode: (bytes: Uint8Array) => F,
  onMalformed?: () => void,
): F[] {
  const unpacked: F[] = [];
  for (const bytes of frames) {
    let frame: F;
    try {
      frame = decode(bytes);
    } catch {
      onMalformed?.();
      continue;
    }
    if (frame.kind?.$case === 'batch') onMalformed?.();
    else unpacked.push(frame);
  }
  return unpacked;
}
