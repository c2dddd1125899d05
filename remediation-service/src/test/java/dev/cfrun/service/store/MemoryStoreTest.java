package dev.cfrun.service.store;

/** {@link MemoryStore} against the store contract (it has no process to lose: a "restart" keeps the instance). */
class MemoryStoreTest extends StoreContractTest {
    @Override
    Store create() {
        return new MemoryStore();
    }

    @Override
    Store reopen(Store s) {
        return s;
    }
}
