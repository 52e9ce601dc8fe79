// The root scripts are no package; the factory is reached by path, like the scripts reach
// the packages' sources. They start their own backends where they need them.
import { createVitestConfig } from '../shared/testing/src/vitest-config.ts';

export default createVitestConfig(import.meta.dirname, { name: 'scripts', backends: false });
