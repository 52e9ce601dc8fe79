import { readFile } from 'node:fs/promises';
import { Parser } from '@asyncapi/parser';
import { describe, expect, it } from 'vitest';
import { asyncApiPath, renderAsyncApiDocument } from '../src/asyncapi/render-asyncapi-document.ts';
import { eventDefinitions } from '../src/event-registry.ts';

describe('asyncapi.json', () => {
  it('is what the registry generates (run `pnpm --filter @storekeeper/contracts generate`)', async () => {
    const committed = await readFile(asyncApiPath, 'utf8');
    expect(committed).toBe(renderAsyncApiDocument());
  });

  it('is a valid AsyncAPI 3 document according to @asyncapi/parser', async () => {
    const { document, diagnostics } = await new Parser().parse(renderAsyncApiDocument());
    const errors = diagnostics.filter((d) => d.severity === 0);
    expect(errors.map((d) => `${d.path.join('.')}: ${d.message}`)).toEqual([]);
    expect(document?.version()).toBe('3.0.0');
    const messageIds = document
      ?.components()
      .messages()
      .all()
      .map((m) => m.id());
    expect(messageIds?.sort()).toEqual(eventDefinitions.map((d) => d.type).sort());
  });
});
