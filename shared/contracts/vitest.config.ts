// By path, not by package name: @storekeeper/testing depends on contracts, and a
// dependency back would be a cycle. The contracts' tests need no backing services.
import { createVitestConfig } from '../testing/src/vitest-config.ts';

export default createVitestConfig(import.meta.dirname, { backends: false });
