import {
  Aws,
  aws_certificatemanager as acm,
  Duration,
  aws_ec2 as ec2,
  aws_elasticloadbalancingv2 as elbv2,
  aws_iam as iam,
  RemovalPolicy,
  aws_s3 as s3,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../environments.ts';

/**
 * The only public entry: an Application Load Balancer in the public subnets in front of
 * the gateway. With a certificate it serves HTTPS and redirects HTTP; without one (a
 * first deploy, dev) it serves HTTP. The gateway's stack adds its own listener rule and
 * target groups, which its canary deployments shift traffic between.
 */
export class Edge extends Construct {
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly listener: elbv2.ApplicationListener;
  readonly https: boolean;

  constructor(
    scope: Construct,
    id: string,
    props: { env: EnvironmentConfig; vpc: ec2.IVpc; certificateArn?: string | undefined },
  ) {
    super(scope, id);
    const { env, vpc, certificateArn } = props;
    this.https = certificateArn !== undefined;

    const accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(env.logRetentionDays) }],
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      dropInvalidHeaderFields: true,
    });
    // CDK's logAccessLogs() needs a region for the legacy per-region ELB account; this
    // app is region-agnostic, so the log delivery service principal is granted instead.
    accessLogs.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [accessLogs.arnForObjects(`AWSLogs/${Aws.ACCOUNT_ID}/*`)],
      }),
    );
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This bucket holds the load balancer access logs; its own access would log into itself',
    });
    Validations.of(this.loadBalancer).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The public entry point: the internet-facing load balancer takes HTTP(S) from anyone',
    });
    this.loadBalancer.setAttribute('access_logs.s3.enabled', 'true');
    this.loadBalancer.setAttribute('access_logs.s3.bucket', accessLogs.bucketName);
    this.loadBalancer.node.addDependency(accessLogs.policy ?? accessLogs);

    const notFound = elbv2.ListenerAction.fixedResponse(404, {
      contentType: 'application/problem+json',
      messageBody: '{"type":"about:blank","title":"Not Found","status":404}',
    });
    if (certificateArn) {
      this.listener = this.loadBalancer.addListener('Https', {
        port: 443,
        certificates: [acm.Certificate.fromCertificateArn(this, 'Certificate', certificateArn)],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultAction: notFound,
      });
      this.loadBalancer.addRedirect({ sourcePort: 80, targetPort: 443 });
    } else {
      this.listener = this.loadBalancer.addListener('Http', { port: 80, defaultAction: notFound });
    }
  }
}
