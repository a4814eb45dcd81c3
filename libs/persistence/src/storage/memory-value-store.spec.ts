import { MemoryValueStore } from '@p2psip/storage';
import { describeValueStoreConformance } from './conformance';

// The reference behaviour: the suite is written against it, and the other adapters must match it.
describeValueStoreConformance('memory', async () => ({
  store: new MemoryValueStore(),
  cleanup: async () => undefined,
}));
