import { parseRelayEndpoint } from './relay-endpoint';

describe('relay — --turn addresses', () => {
  it('reads IPv4 and bracketed IPv6 with a port, and the CLI port', () => {
    expect(parseRelayEndpoint('127.0.0.1:3478')).toEqual({
      host: '127.0.0.1',
      port: 3478,
      address: '127.0.0.1:3478',
    });
    expect(parseRelayEndpoint('[::1]:3479?cli=5766')).toEqual({
      host: '::1',
      port: 3479,
      address: '[::1]:3479',
      cliPort: 5766,
    });
  });

  it.each(['turn.example:3478', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', '999.1.1.1:3478', ''])(
    'refuses %j with BAD_RELAY_ADDRESS',
    (text) => {
      expect(() => parseRelayEndpoint(text)).toThrow(/--turn wants/);
      try {
        parseRelayEndpoint(text);
      } catch (error) {
        expect((error as { code?: string }).code).toBe('BAD_RELAY_ADDRESS');
      }
    },
  );
});
