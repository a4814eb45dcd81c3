import { connect } from '@nats-io/transport-node';
import { existsSync } from 'node:fs';
import { startNatsServer } from './nats-server';
import { createTempDir } from './temp-dir';

describe('testing — nats-server helper', () => {
  it('starts a real server on a free port, serves pub/sub, and cleans up on stop', async () => {
    const server = await startNatsServer();
    const connection = await connect({ servers: server.url, timeout: 5000 });
    try {
      expect(connection.info?.jetstream).toBe(true);
      const subscription = connection.subscribe('p2psip.test.>', { max: 1 });
      connection.publish('p2psip.test.hello', 'world');
      for await (const message of subscription) expect(message.string()).toBe('world');
    } finally {
      await connection.close();
      await server.stop();
    }
    expect(() => process.kill(server.pid, 0)).toThrow();
  });

  it('gives two servers two different ports', async () => {
    const [a, b] = await Promise.all([
      startNatsServer({ jetstream: false }),
      startNatsServer({ jetstream: false }),
    ]);
    try {
      expect(a.port).not.toBe(b.port);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('testing — temp dirs', () => {
  it('removes the directory it made', async () => {
    const dir = await createTempDir('unit');
    expect(existsSync(dir.path)).toBe(true);
    await dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });
});
