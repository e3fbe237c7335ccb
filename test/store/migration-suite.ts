/** The shared migration-upgrade suite: a database made by an older release opens, upgrades and keeps its data. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Migration } from '../../src/store/migration.js';
import type { StoreFixture } from './store-fixture.js';

/**
 * Opens a store on a database that only the first migration made, holding car 1 (Honda,
 * White); opening it runs the later migrations.
 */
export type UpgradedStoreFactory = () => Promise<StoreFixture>;

/** Registers the upgrade tests for an engine, given its migrations and how it makes an old database. */
export function describeMigrationUpgrade(migrations: readonly Migration[], openUpgraded: UpgradedStoreFactory): void {
  describe('upgrading a database made by the first migration', () => {
    it('applies every later migration, keeps its cars, and adds API keys', async () => {
      const { store, cleanup } = await openUpgraded();
      try {
        assert.deepEqual(
          (await store.appliedMigrations()).map((m) => m.version),
          migrations.map((m) => m.version),
        );
        const car = await store.get(1);
        assert.deepEqual(car && { id: car.id, model: car.model, color: car.color }, { id: 1, model: 'Honda', color: 'White' });
        await store.createApiKey({ id: 'a1b2c3d4e5f6', name: 'ci', scopes: ['cars:read'], secretHash: '0'.repeat(64) });
        assert.equal(await store.countActiveApiKeys(), 1);
        assert.equal((await store.insert({ model: 'Ford', color: 'Black' })).status, 'created', 'the upgraded store takes writes');
      } finally {
        await cleanup();
      }
    });
  });
}
