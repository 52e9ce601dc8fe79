// By path: vite loads this file without the @storekeeper/source condition.
import { createVitestConfig } from '../testing/src/vitest-config.ts';

export default createVitestConfig(import.meta.dirname);
