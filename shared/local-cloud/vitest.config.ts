// By path, not by package name: @storekeeper/testing depends on this package, and a
// dependency back would be a cycle. These tests start their own local clouds.
import { createVitestConfig } from '../testing/src/vitest-config.ts';

export default createVitestConfig(import.meta.dirname, { backends: false });
