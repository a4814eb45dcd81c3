import { Writable } from 'node:stream';
import { type BatchFormat, FrameCoalescer } from './frame-coalescer';
import { unpackBatch } from './frame-batches';

/** Frames are strings; a batch is `batch:` followed by its frames joined by '|'. */
const format: BatchFormat<string> = {
  encode: (frame) => Buffer.from(frame),
  wrap: (encoded) => `batch:${encoded.map((bytes) => Buffer.from(bytes).toString()).join('|')}`,
};

/**
 * An object-mode Writable that, like a grpc-js call, completes each write one event-loop turn
 * later (setImmediate) and holds further writes until then.
 */
function slowStream(fail = false): { stream: Writable; written: string[] } {
  const written: string[] = [];
  const stream = new Writable({
    objectMode: true,
    write(frame: string, _encoding, callback) {
      written.push(frame);
      setImmediate(() => callback(fail ? new Error('reset') : null));
    },
  });
  stream.on('error', () => undefined);
  return { stream, written };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function settle(stream: Writable, coalescer: FrameCoalescer<string>): Promise<void> {
  for (let i = 0; i < 50 && (coalescer.queued > 0 || stream.writableLength > 0); i++) await turn();
}

describe('FrameCoalescer', () => {
  it('hands every frame to the stream on its own until the remote reads batches', async () => {
    const { stream, written } = slowStream();
    const coalescer = new FrameCoalescer<string>(stream, format);
    for (const frame of ['a', 'b', 'c']) coalescer.write(frame);
    expect(coalescer.queued).toBe(3);
    await settle(stream, coalescer);
    expect(written).toEqual(['a', 'b', 'c']);
  });

  it('sends the frames queued during a write as one batch, in order', async () => {
    const { stream, written } = slowStream();
    const coalescer = new FrameCoalescer<string>(stream, format);
    coalescer.enableBatches();
    for (const frame of ['a', 'b', 'c', 'd']) coalescer.write(frame);
    await turn();
    coalescer.write('e');
    await settle(stream, coalescer);
    expect(written).toEqual(['a', 'batch:b|c|d', 'e']);
  });

  it('keeps a batch within its byte budget, and sends a frame that fits with no other unwrapped', async () => {
    const { stream, written } = slowStream();
    // Each frame costs its length + 4 bytes of field overhead: two 6-byte frames fit in 20.
    const coalescer = new FrameCoalescer<string>(stream, format, 20);
    coalescer.enableBatches();
    for (const frame of ['first', 'bbbbbb', 'cccccc', 'dddddd', 'a-frame-longer-than-20', 'e'])
      coalescer.write(frame);
    await settle(stream, coalescer);
    expect(written).toEqual(['first', 'batch:bbbbbb|cccccc', 'dddddd', 'a-frame-longer-than-20', 'e']);
  });

  it('keeps the order of frames already in the stream when batches start', async () => {
    const { stream, written } = slowStream();
    const coalescer = new FrameCoalescer<string>(stream, format);
    coalescer.write('hello');
    coalescer.write('early');
    coalescer.enableBatches();
    for (const frame of ['x', 'y', 'z']) coalescer.write(frame);
    await settle(stream, coalescer);
    expect(written).toEqual(['hello', 'early', 'x', 'batch:y|z']);
  });

  it('drops what is queued once a write fails, and writes nothing more', async () => {
    const { stream, written } = slowStream(true);
    const coalescer = new FrameCoalescer<string>(stream, format);
    coalescer.enableBatches();
    coalescer.write('a');
    coalescer.write('b');
    await turn();
    await turn();
    coalescer.write('c');
    await turn();
    expect(written).toEqual(['a']);
    expect(coalescer.queued).toBe(0);
  });
  it('ends the stream only once the frames queued during a write have gone out', async () => {
    const { stream, written } = slowStream();
    let finished = false;
    stream.on('finish', () => (finished = true));
    const coalescer = new FrameCoalescer<string>(stream, format);
    coalescer.enableBatches();
    for (const frame of ['a', 'b', 'c']) coalescer.write(frame);
    coalescer.end();
    coalescer.write('after the end');
    expect(coalescer.writableEnded).toBe(true);
    await settle(stream, coalescer);
    await turn();
    expect(written).toEqual(['a', 'batch:b|c']);
    expect(finished).toBe(true);
  });
});

describe('unpackBatch', () => {
  it('returns the frames that decode, in order, and reports the rest', () => {
    type Frame = { kind: { $case: string }; text: string };
    const decode = (bytes: Uint8Array): Frame => {
      const text = Buffer.from(bytes).toString();
      if (text === 'garbage') throw new Error('not a frame');
      return { kind: { $case: text.startsWith('batch') ? 'batch' : 'message' }, text };
    };
    const bad: string[] = [];
    const frames = unpackBatch(
      ['one', 'garbage', 'batch-inside', 'two'].map((text) => Buffer.from(text)),
      decode,
      () => bad.push('x'),
    );
    expect(frames.map((frame) => frame.text)).toEqual(['one', 'two']);
    expect(bad).toHaveLength(2);
  });
});
