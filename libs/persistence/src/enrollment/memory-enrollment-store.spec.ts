import { describeEnrollmentStoreConformance } from './conformance';
import { MemoryEnrollmentStore } from '@p2psip/ca';

describeEnrollmentStoreConformance('memory', async () => ({
  store: new MemoryEnrollmentStore(),
  cleanup: async () => undefined,
}));
