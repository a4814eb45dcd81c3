import { UsageError } from '@p2psip/cli';
import { resourceIdCommand } from './resource-id';

describe('client — resource-id command', () => {
  it('normalises an AOR and prints its Resource-ID', () => {
    expect(resourceIdCommand('sip:alice@DHT.example.com')).toEqual({
      input: 'sip:alice@DHT.example.com',
      resourceName: 'alice@dht.example.com',
      resourceId: '0c51a942f50c828aef82a5af83e8ed59',
    });
  });

  it('refuses a broken AOR as a usage error', () => {
    expect(() => resourceIdCommand('sip:@nowhere')).toThrow(UsageError);
  });
});
