import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const shared: Options = {
  // A field the schema does not know is an error, never silently dropped.
  removeAdditional: false,
  useDefaults: true,
  allErrors: false,
  strict: false,
};

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ ...shared, ...options });
  addFormats.default(ajv);
  return ajv;
}

/**
 * JSON bodies are validated as they are: `"2"` is not a number. Query strings, params
 * and headers arrive as text, so there (and only there) values are coerced.
 *
 * `checkSchemas: false` skips checking each route schema against the JSON Schema
 * meta-schema. Compiling the meta-schema is a quarter of a service's start-up here
 * (~50 ms of ~400), and the check finds nothing new in production: the schemas are code,
 * checked wherever the app is built in development and in every test.
 */
export function registerValidation(
  app: FastifyInstance,
  options: { readonly checkSchemas: boolean },
): void {
  const strict = createAjv({ coerceTypes: false, validateSchema: options.checkSchemas });
  const coercing = createAjv({ coerceTypes: 'array', validateSchema: options.checkSchemas });
  app.setValidatorCompiler(({ schema, httpPart }) =>
    httpPart === 'body' ? strict.compile(schema) : coercing.compile(schema),
  );
}
