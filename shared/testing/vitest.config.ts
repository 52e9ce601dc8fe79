// The package's own config imports the factory by path: a package cannot depend on itself.
import { createVitestConfig } from './src/vitest-config.ts';

export default createVitestConfig(import.meta.dirname);
