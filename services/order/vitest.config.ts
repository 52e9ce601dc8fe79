import { createVitestConfig } from '@storekeeper/testing/vitest-config';

export default createVitestConfig(import.meta.dirname);
