import { buildAsyncApiDocument } from './build-asyncapi-document.ts';

/** Where the committed document lives: the package root, next to package.json. */
export const asyncApiPath = new URL('../../asyncapi.json', import.meta.url);

/** The document as committed: two-space JSON with a final newline. */
export function renderAsyncApiDocument(): string {
  return `${JSON.stringify(buildAsyncApiDocument(), null, 2)}\n`;
}
