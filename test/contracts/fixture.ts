import { afterEach, beforeEach } from 'vitest';
import type { Store } from '../../src/store/store.js';

export type StoreFactory = () => Promise<{
  store: Store;
  reopen: () => Promise<Store>;
  cleanup: () => Promise<void>;
}>;

/** A fresh store before each test, closed and cleaned after; `current` is read inside tests. */
export function useStore(make: StoreFactory) {
  const fixture = {} as {
    store: Store;
    reopen: () => Promise<Store>;
    cleanup: () => Promise<void>;
  };
  beforeEach(async () => {
    Object.assign(fixture, await make());
  });
  afterEach(async () => {
    await fixture.store.close();
    await fixture.cleanup();
  });
  return fixture;
}
