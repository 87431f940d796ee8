import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { MfaService, type MfaServiceProps } from './service.ts';

export { kmsPurposes, repoRoot, validateProps, withSettings } from './service.ts';

export interface MfaStackProps extends StackProps, MfaServiceProps {}

/**
 * The service in a stack of its own (`cdk deploy` of this repository) with its outputs. The
 * construct's id is `Default`, which CDK leaves out of logical ids: every resource keeps the id it
 * had when this stack built them itself, so an existing deployment updates in place (a new
 * logical id would replace the table and the key).
 */
export class MfaStack extends Stack {
  readonly service: MfaService;
  /** The alarms, for more to be added beside them; each notifies the alarm topic(s). */
  readonly alarms: Alarm[];
  /** The operations dashboard (output `DashboardUrl`); widgets are added to it. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MfaStackProps) {
    super(scope, id, props);
    const service = new MfaService(this, 'Default', props);
    this.service = service;
    this.alarms = service.alarms;
    this.dashboard = service.dashboard;

    service.dkimRecords.forEach((record, index) => {
      new CfnOutput(this, `DkimRecord${index + 1}`, {
        description: `DKIM CNAME record ${index + 1} of 3 to publish in ${props.senderIdentity}'s DNS`,
        value: `${record.name} CNAME ${record.value}`,
      });
    });
    new CfnOutput(this, 'ApiUrl', {
      description: 'The API base URL, without a trailing slash: routes are /v1/… below it.',
      value: service.apiUrl,
    });
    new CfnOutput(this, 'Issuer', { description: 'iss of the access tokens.', value: service.issuer });
    new CfnOutput(this, 'JwksUrl', {
      description: 'The public keys that verify access tokens.',
      value: service.jwksUrl,
    });
    new CfnOutput(this, 'TableName', { value: service.table.tableName });
    new CfnOutput(this, 'KeyArn', { value: service.key.keyArn });
    new CfnOutput(this, 'DashboardUrl', { value: service.dashboardUrl });
    new CfnOutput(this, 'EventBusName', {
      description: 'The EventBridge bus every security event is put on.',
      value: service.eventBus.eventBusName,
    });
    new CfnOutput(this, 'EventBusArn', { value: service.eventBus.eventBusArn });
    const rotation = service.workerFunctions.rotateSigningKey;
    if (rotation) {
      // infra/aws/rotate-signing-key.ts (`npm run rotate-signing-key -- --stage …`) invokes it.
      new CfnOutput(this, 'RotateSigningKeyFunction', {
        description: 'The function that rotates the token signing key (monthly, or invoked by hand).',
        value: rotation.functionName,
      });
    }
  }
}
