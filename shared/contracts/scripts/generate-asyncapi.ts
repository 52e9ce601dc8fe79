/**
 * Writes asyncapi.json from the registry: `pnpm --filter @storekeeper/contracts generate`.
 * test/asyncapi.test.ts fails when the committed file differs from what this writes.
 */
import { writeFile } from 'node:fs/promises';
import { asyncApiPath, renderAsyncApiDocument } from '../src/asyncapi/render-asyncapi-document.ts';

await writeFile(asyncApiPath, renderAsyncApiDocument());
console.info(`wrote ${asyncApiPath.pathname}`);
