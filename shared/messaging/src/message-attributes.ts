import type { MessageAttributeValue as SnsAttribute } from '@aws-sdk/client-sns';
import type { Message } from '@aws-sdk/client-sqs';
import { traceHeaderAttribute, typeAttribute } from '@storekeeper/contracts';

/** The SNS message attributes of an event: `type` for filter policies, and the trace. */
export function snsAttributesOf(
  type: string,
  traceHeader: string | undefined,
): Record<string, SnsAttribute> {
  return {
    [typeAttribute]: { DataType: 'String', StringValue: type },
    ...(traceHeader
      ? { [traceHeaderAttribute]: { DataType: 'String', StringValue: traceHeader } }
      : {}),
  };
}

/** The trace header a received message carries, if any. */
export function traceHeaderOf(message: Message): string | undefined {
  return message.MessageAttributes?.[traceHeaderAttribute]?.StringValue;
}

/** The `type` attribute a received message carries, if any. */
export function typeAttributeOf(message: Message): string | undefined {
  return message.MessageAttributes?.[typeAttribute]?.StringValue;
}
