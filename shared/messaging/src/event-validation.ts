import {
  type AnyEventDefinition,
  type CloudEvent,
  CloudEventAttributes,
  cloudEventSchemaOf,
  type EventType,
  eventDefinitionOf,
  isEventType,
} from '@storekeeper/contracts';
import type { TObject } from 'typebox';
import { Compile } from 'typebox/compile';

export interface EventFieldError {
  /** Where in the event, dotted: `data.billingAddress.city`, or `(root)`. */
  readonly field: string;
  readonly message: string;
}

/** An event (or a message claiming to be one) that does not match its schema. */
export class EventValidationError extends Error {
  readonly errors: readonly EventFieldError[];
  readonly eventType: string | undefined;

  constructor(eventType: string | undefined, errors: readonly EventFieldError[]) {
    const first = errors[0];
    const where = first ? `${first.field}: ${first.message}` : 'invalid';
    super(
      `${eventType ?? 'event'} is not valid: ${where}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    );
    this.name = 'EventValidationError';
    this.eventType = eventType;
    this.errors = errors;
  }
}

const validators = new Map<string, ReturnType<typeof Compile<TObject>>>();
const envelope = Compile(CloudEventAttributes);

function validatorOf(definition: AnyEventDefinition) {
  let validator = validators.get(definition.type);
  if (!validator) {
    validator = Compile(cloudEventSchemaOf(definition));
    validators.set(definition.type, validator);
  }
  return validator;
}

/**
 * Checks a whole CloudEvent against the registry: the envelope, a known type, and `data`
 * against that type's schema. Returns the event typed, or throws an EventValidationError
 * naming every offending field.
 */
export function validateEvent(candidate: unknown): CloudEvent {
  if (!envelope.Check(candidate)) {
    throw new EventValidationError(typeOf(candidate), fieldErrors(envelope.Errors(candidate)));
  }
  const type = (candidate as { type: string }).type;
  if (!isEventType(type)) {
    throw new EventValidationError(type, [
      { field: 'type', message: `"${type}" is not an event type of the registry` },
    ]);
  }
  const validator = validatorOf(eventDefinitionOf(type as EventType));
  if (!validator.Check(candidate)) {
    throw new EventValidationError(type, fieldErrors(validator.Errors(candidate)));
  }
  return candidate as CloudEvent;
}

function typeOf(candidate: unknown): string | undefined {
  const type = (candidate as { type?: unknown } | null)?.type;
  return typeof type === 'string' ? type : undefined;
}

interface IssueLike {
  keyword: string;
  instancePath: string;
  message: string;
  params: Record<string, unknown>;
}

function fieldErrors(issues: readonly IssueLike[]): EventFieldError[] {
  const seen = new Map<string, string>();
  for (const issue of issues) {
    // `additionalProperties: false` reports twice; a union reports per branch. One per field.
    if (issue.keyword === 'boolean') continue;
    const base = issue.instancePath.split('/').filter(Boolean).join('.');
    if (issue.keyword === 'required') {
      for (const name of (issue.params.requiredProperties as string[] | undefined) ?? []) {
        const field = base ? `${base}.${name}` : name;
        if (!seen.has(field)) seen.set(field, 'is required');
      }
      continue;
    }
    const field = base || '(root)';
    if (!seen.has(field)) seen.set(field, issue.message);
  }
  return [...seen].map(([field, message]) => ({ field, message }));
}
