import { PassThrough } from 'node:stream';
import type { OverlayMessage } from '@p2psip/overlay';
import { overlayV1, peerV1 } from '@p2psip/proto';
import { ClientFrameStream } from './client-frame-stream';
import { createProtobufCodec } from './codec';

const codec = createProtobufCodec({ agreement: { overlay: 'p2psip.test', configurationSequence: () => 1 } });

function ping(text: string): overlayV1.LinkFrame {
  const message: OverlayMessage = {
    header: { ttl: 100, transactionId: 1n, via: [], destinations: [] },
    body: { type: 'ping_req', padding: Buffer.from(text) } as never,
  };
  return { sequence: 0n, link: 0, kind: { $case: 'message', message: codec.encode(message) } };
}

function paddingOf(message: overlayV1.Message): string {
  const decoded = codec.decode(message);
  return Buffer.from((decoded?.body as unknown as { padding: Uint8Array }).padding).toString();
}

/** A Connect call's stand-in: a real object-mode stream whose writes complete a tick later. */
function call(): { call: PassThrough; written: peerV1.ClientFrame[] } {
  const stream = new PassThrough({ objectMode: true });
  const written: peerV1.ClientFrame[] = [];
  stream.on('data', (frame: peerV1.ClientFrame) => written.push(frame));
  return { call: stream, written };
}

function sentPaddings(written: readonly peerV1.ClientFrame[]): string[] {
  return written.flatMap((frame) => {
    if (frame.kind?.$case === 'message') return [paddingOf(frame.kind.message)];
    if (frame.kind?.$case !== 'batch') return [];
    return frame.kind.batch.frames.map((bytes) => {
      const inner = peerV1.ClientFrame.decode(bytes);
      return inner.kind?.$case === 'message' ? paddingOf(inner.kind.message) : '?';
    });
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('ClientFrameStream', () => {
  it('batches message frames written during a write when the other side reads batches', async () => {
    const { call: stream, written } = call();
    const frames = new ClientFrameStream(stream, true);
    const sent = Array.from({ length: 20 }, (_, i) => `m${i}`);
    for (const text of sent) frames.write(ping(text));
    await settle();
    expect(sentPaddings(written)).toEqual(sent);
    expect(written.map((frame) => frame.kind?.$case)).toEqual(['message', 'batch']);
  });

  it('writes one frame per message to a side that does not read batches', async () => {
    const { call: stream, written } = call();
    const frames = new ClientFrameStream(stream, false);
    for (const text of ['a', 'b', 'c']) frames.write(ping(text));
    await settle();
    expect(written.map((frame) => frame.kind?.$case)).toEqual(['message', 'message', 'message']);
  });

  it('hands on the messages of a received batch in order, skipping frames that are not messages', async () => {
    const incoming = new PassThrough({ objectMode: true });
    const frames = new ClientFrameStream(incoming, true);
    const received: string[] = [];
    frames.on('data', (frame) => {
      if (frame.kind?.$case === 'message') received.push(paddingOf(frame.kind.message));
    });
    const inner = (text: string) =>
      Buffer.from(
        peerV1.ClientFrame.encode({ kind: ping(text).kind as never, acceptsBatches: false }).finish(),
      );
    const hello = Buffer.from(
      peerV1.ClientFrame.encode({
        kind: { $case: 'hello', hello: { nodeId: Buffer.alloc(16), configurationSequence: 1 } },
        acceptsBatches: false,
      }).finish(),
    );
    incoming.write({
      kind: {
        $case: 'batch',
        batch: { frames: [inner('one'), hello, Buffer.from('garbage!'), inner('two')] },
      },
      acceptsBatches: false,
    });
    await settle();
    expect(received).toEqual(['one', 'two']);
  });
});
