import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { ServiceName, Topology } from '@storekeeper/contracts';

/**
 * The ARNs of the topics a service publishes to. CreateTopic on an existing topic only
 * returns its ARN (it needs sns:CreateTopic on that ARN, which the infrastructure must grant to the
 * producer), so no account id or region has to be configured.
 */
export async function resolveTopicArns(
  sns: SNSClient,
  topology: Topology,
  producers: readonly ServiceName[],
): Promise<Partial<Record<ServiceName, string>>> {
  const arns: Partial<Record<ServiceName, string>> = {};
  for (const producer of producers) {
    const { TopicArn } = await sns.send(
      new CreateTopicCommand({ Name: topology.topicOf(producer).name }),
    );
    if (!TopicArn) throw new Error(`no ARN for the topic of ${producer}`);
    arns[producer] = TopicArn;
  }
  return arns;
}
