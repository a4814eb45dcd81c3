import { EventEmitter, getEventListeners } from 'node:events';
import { Metadata } from '@grpc/grpc-js';
import { openCallContext } from './handlers';

function fakeCall(): EventEmitter & { metadata: Metadata; getAuthContext(): null } {
  return Object.assign(new EventEmitter(), { metadata: new Metadata(), getAuthContext: () => null });
}

describe('rpc — call contexts', () => {
  it('removes its listener from the server signal when disposed (regression: one leaked per unary call)', () => {
    const server = new AbortController();
    for (let i = 0; i < 50; i++) {
      const { dispose } = openCallContext(fakeCall() as never, '/x', server.signal);
      dispose();
    }
    expect(getEventListeners(server.signal, 'abort')).toHaveLength(0);
  });

  it('aborts the call’s signal when the caller cancels or the server stops', () => {
    const server = new AbortController();
    const call = fakeCall();
    const { context } = openCallContext(call as never, '/x', server.signal);
    expect(context.signal.aborted).toBe(false);
    call.emit('cancelled');
    expect(context.signal.aborted).toBe(true);
    const other = openCallContext(fakeCall() as never, '/y', server.signal);
    server.abort();
    expect(other.context.signal.aborted).toBe(true);
  });
});
