import { PEER_SEMI_SPACE_MB, peerNodeOptions } from './node-options';

describe('peerNodeOptions', () => {
  it('caps the nursery of peer processes, keeping what the caller set', () => {
    expect(peerNodeOptions(undefined)).toBe(`--max-semi-space-size=${PEER_SEMI_SPACE_MB}`);
    expect(peerNodeOptions(' --enable-source-maps ')).toBe(
      `--enable-source-maps --max-semi-space-size=${PEER_SEMI_SPACE_MB}`,
    );
  });

  it('leaves an explicit choice alone', () => {
    expect(peerNodeOptions('--max-semi-space-size=16')).toBe('--max-semi-space-size=16');
  });
});
