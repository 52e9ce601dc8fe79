/**
 * The CDK app (`cdk synth`, `cdk deploy`): see infra/README.md and docs/deploy.md.
 */
import { App } from 'aws-cdk-lib';
import { buildStorekeeperApp } from '../src/storekeeper-app.ts';

const app = new App();
buildStorekeeperApp(app);
app.synth();
