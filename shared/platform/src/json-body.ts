import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { kitErrors } from './define-errors.ts';

/**
 * JSON is the only body a service accepts: Fastify's text/plain parser is removed, so a
 * body of any other media type (or of none) is a 415 UNSUPPORTED_MEDIA_TYPE before a
 * route sees it.
 *
 * Parses JSON bodies like Fastify does (prototype poisoning refused) and then refuses text
 * that no store can keep: NUL characters and lone UTF-16 surrogates are valid in a JSON
 * string but not in PostgreSQL text. Refused here, they are a 400 naming the field rather
 * than a 500 from the database.
 */
export function registerJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.length === 0) {
      done(null, undefined);
      return;
    }
    let value: unknown;
    try {
      value = secureJson.parse(text, undefined, {
        protoAction: 'error',
        constructorAction: 'error',
      });
    } catch (error) {
      done(
        kitErrors.create('INVALID_JSON', `The body is not valid JSON: ${(error as Error).message}`),
        undefined,
      );
      return;
    }
    const field = findUnstorableText(value, []);
    if (field !== undefined) {
      const message = 'must be valid Unicode text without NUL characters';
      done(
        kitErrors.create('INVALID_INPUT', `body.${field || '(root)'}: ${message}`, {
          errors: [{ in: 'body', field: field || '(root)', message }],
        }),
        undefined,
      );
      return;
    }
    done(null, value);
  });
}

function findUnstorableText(value: unknown, path: string[]): string | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000') || !value.isWellFormed() ? path.join('.') : undefined;
  }
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnstorableText(item, [...path, String(index)]);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      const found = findUnstorableText(key, path) ?? findUnstorableText(item, [...path, key]);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}
