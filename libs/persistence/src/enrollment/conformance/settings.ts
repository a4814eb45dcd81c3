import type { SuiteContext } from './builders';

interface Sequence {
  readonly sequence: number;
  readonly owner?: string;
}

export function describeSettings(context: SuiteContext): void {
  const store = () => context.store();

  describe('settings', () => {
    it('returns undefined for a setting never written', async () => {
      expect(await store().getSetting('ca.crl-number')).toBeUndefined();
    });

    it('stores, returns and overwrites JSON documents', async () => {
      const document = { name: 'overlay.example', limits: [1, 2.5, null], nested: { on: true, text: 'é' } };
      await store().putSetting('config', document);
      expect(await store().getSetting('config')).toEqual(document);
      await store().putSetting('config', 7);
      expect(await store().getSetting('config')).toBe(7);
    });

    it('refuses a value JSON cannot hold', async () => {
      await expect(store().putSetting('config', undefined)).rejects.toThrow(TypeError);
    });

    it('sets an absent setting when expected is undefined', async () => {
      expect(await store().compareAndSetSetting<Sequence>('seq', undefined, { sequence: 1 })).toBe(true);
      expect(await store().getSetting('seq')).toEqual({ sequence: 1 });
    });

    it('refuses to set from absent when the setting exists', async () => {
      await store().putSetting('seq', { sequence: 1 });
      expect(await store().compareAndSetSetting<Sequence>('seq', undefined, { sequence: 9 })).toBe(false);
      expect(await store().getSetting('seq')).toEqual({ sequence: 1 });
    });

    it('refuses a wrong expected value and leaves the setting unchanged', async () => {
      await store().putSetting('seq', { sequence: 2 });
      expect(await store().compareAndSetSetting<Sequence>('seq', { sequence: 1 }, { sequence: 3 })).toBe(
        false,
      );
      expect(await store().compareAndSetSetting<Sequence>('absent', { sequence: 1 }, { sequence: 3 })).toBe(
        false,
      );
      expect(await store().getSetting('seq')).toEqual({ sequence: 2 });
      expect(await store().getSetting('absent')).toBeUndefined();
    });

    it('compares deep-equal objects as equal, whatever their key order', async () => {
      await store().putSetting('seq', { sequence: 2, owner: 'ca', nested: { b: 1, a: [1, { y: 2, x: 1 }] } });
      const expected = { nested: { a: [1, { x: 1, y: 2 }], b: 1 }, owner: 'ca', sequence: 2 };
      expect(await store().compareAndSetSetting<object>('seq', expected, { sequence: 3 })).toBe(true);
      expect(await store().getSetting('seq')).toEqual({ sequence: 3 });
    });

    it('serialises concurrent compare-and-set increments so that none is lost', async () => {
      const increment = async (): Promise<void> => {
        for (;;) {
          const current = await store().getSetting<number>('counter');
          if (await store().compareAndSetSetting('counter', current, (current ?? 0) + 1)) return;
        }
      };
      await Promise.all(Array.from({ length: 20 }, increment));
      expect(await store().getSetting('counter')).toBe(20);
    });
  });
}
