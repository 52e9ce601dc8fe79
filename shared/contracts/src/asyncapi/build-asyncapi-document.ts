import { cloudEventSchemaOf } from '../cloud-event.ts';
import { type AnyEventDefinition, eventDefinitions } from '../event-registry.ts';
import { dataSchemaUri, topicBaseName } from '../events/define-event.ts';
import { traceHeaderAttribute, typeAttribute } from '../message-attributes.ts';
import { resolveTopology } from '../topology.ts';

type Json = Record<string, unknown>;

/**
 * The AsyncAPI 3.0 description of Storekeeper's events, built from the registry and the
 * topology (with base names: environments only add a prefix or suffix). Committed as
 * shared/contracts/asyncapi.json; a test fails when it drifts from the code.
 */
export function buildAsyncApiDocument(): Json {
  const topology = resolveTopology();
  const channels: Json = {};
  const operations: Json = {};

  for (const topic of topology.topics) {
    channels[topic.name] = {
      address: topic.name,
      title: `${topic.producer} events (SNS topic)`,
      description: `Every event the ${topic.producer} service publishes. Standard topic: no ordering, at-least-once.`,
      messages: Object.fromEntries(topic.eventTypes.map((type) => [type, messageRef(type)])),
      bindings: {
        sns: { name: topic.name, ordering: { type: 'standard' }, bindingVersion: '0.1.0' },
      },
    };
    operations[`${topic.producer}.publish`] = {
      action: 'send',
      title: `${topic.producer} publishes`,
      description:
        'Written to the outbox in the transaction of the state change, published by the relay.',
      channel: { $ref: `#/channels/${topic.name}` },
      messages: topic.eventTypes.map((type) => ({
        $ref: `#/channels/${topic.name}/messages/${type}`,
      })),
    };
  }

  for (const queue of topology.queues) {
    const s = queue.settings;
    channels[queue.name] = {
      address: queue.name,
      title: `${queue.consumer} inbox queue (SQS)`,
      description:
        `Receives ${queue.eventTypes.join(', ')} through filtered, raw-delivery subscriptions. ` +
        `After ${s.maxReceiveCount} receives a message moves to ${queue.deadLetterQueueName}.`,
      messages: Object.fromEntries(queue.eventTypes.map((type) => [type, messageRef(type)])),
      bindings: {
        sqs: {
          queue: {
            name: queue.name,
            fifoQueue: false,
            visibilityTimeout: s.visibilityTimeoutSeconds,
            receiveMessageWaitTime: s.waitTimeSeconds,
            messageRetentionPeriod: s.messageRetentionSeconds,
            redrivePolicy: {
              deadLetterQueue: { name: queue.deadLetterQueueName },
              maxReceiveCount: s.maxReceiveCount,
            },
          },
          deadLetterQueue: {
            name: queue.deadLetterQueueName,
            fifoQueue: false,
            messageRetentionPeriod: s.deadLetterRetentionSeconds,
          },
          bindingVersion: '0.2.0',
        },
      },
    };
    operations[`${queue.consumer}.receive`] = {
      action: 'receive',
      title: `${queue.consumer} consumes`,
      description: 'Handled once per event id: the inbox record is written with the effect.',
      channel: { $ref: `#/channels/${queue.name}` },
      messages: queue.eventTypes.map((type) => ({
        $ref: `#/channels/${queue.name}/messages/${type}`,
      })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Storekeeper events',
      version: '1.0.0',
      description:
        'Events between the Storekeeper services: CloudEvents 1.0 in structured JSON mode over ' +
        'SNS → SQS with raw message delivery. Generated from @storekeeper/contracts; do not edit.',
    },
    defaultContentType: 'application/cloudevents+json',
    channels,
    operations,
    components: {
      messages: Object.fromEntries(eventDefinitions.map((d) => [d.type, message(d)])),
      messageTraits: {
        snsAttributes: {
          headers: {
            type: 'object',
            description: 'SNS/SQS message attributes (String)',
            required: [typeAttribute],
            properties: {
              [typeAttribute]: {
                type: 'string',
                description: 'The event type; filter policies match it',
              },
              [traceHeaderAttribute]: {
                type: 'string',
                description: 'Trace context of the producer',
              },
            },
          },
        },
      },
    },
  };
}

function messageRef(type: string): Json {
  return { $ref: `#/components/messages/${type}` };
}

function message(definition: AnyEventDefinition): Json {
  return {
    name: definition.type,
    title: definition.type,
    summary: definition.summary,
    description: `${definition.description}\n\nProducer: ${definition.producer} (topic ${topicBaseName(definition.producer)}). Schema version ${definition.version}.`,
    contentType: 'application/cloudevents+json',
    traits: [{ $ref: '#/components/messageTraits/snsAttributes' }],
    payload: JSON.parse(JSON.stringify(cloudEventSchemaOf(definition))),
    examples: [
      {
        name: 'example',
        headers: { [typeAttribute]: definition.type },
        payload: {
          specversion: '1.0',
          id: '7d3c9a5e-0f1b-4b2a-8c6d-1e2f3a4b5c6d',
          source: `/storekeeper/${definition.producer}`,
          type: definition.type,
          time: '2026-01-01T10:00:00.000Z',
          datacontenttype: 'application/json',
          dataschema: dataSchemaUri(definition),
          data: definition.example,
        },
      },
    ],
  };
}
