import { parseArgs } from 'node:util';

/**
 * `npm run rotate-signing-key -- --stage prod [--region eu-west-1]`: invokes the deployed
 * stage's rotation function (the one the monthly schedule runs, with the stage's settings and
 * permissions), found through the stack's `RotateSigningKeyFunction` output.
 * `npm run rotate-signing-key -- --local`: rotates the keyring of `npm start` (DynamoDB Local on
 * DYNAMODB_PORT, KMS on AWS_PORT; `TOKEN_SIGNING_ALG` as given to `npm start`).
 * Prints the rotation as JSON: the new `kid`, the retired `previousKid` and when it leaves the
 * JWKS (`retiresAt`).
 */
const { values } = parseArgs({
  options: {
    stage: { type: 'string' },
    region: { type: 'string' },
    local: { type: 'boolean', default: false },
  },
});

async function rotateDeployed(stage: string, region: string | undefined): Promise<unknown> {
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const { InvokeCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
  const stackName = `serverless-mfa-${stage}`;
  const stacks = await new CloudFormationClient({ region }).send(
    new DescribeStacksCommand({ StackName: stackName }),
  );
  const output = stacks.Stacks?.[0]?.Outputs?.find((item) => item.OutputKey === 'RotateSigningKeyFunction');
  if (!output?.OutputValue)
    throw new Error(`${stackName} has no RotateSigningKeyFunction output: deploy this version first`);
  const result = await new LambdaClient({ region }).send(
    new InvokeCommand({ FunctionName: output.OutputValue }),
  );
  const payload = result.Payload ? Buffer.from(result.Payload).toString('utf8') : 'null';
  if (result.FunctionError) throw new Error(`The rotation failed: ${payload}`);
  return JSON.parse(payload);
}

async function rotateLocal(): Promise<unknown> {
  // The environment `npm start` gives its handlers (infra/local/runtime.ts), unless set already.
  process.env.AWS_REGION ??= 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  process.env.AWS_ENDPOINT_URL_DYNAMODB ??= `http://localhost:${process.env.DYNAMODB_PORT ?? 8000}`;
  process.env.AWS_ENDPOINT_URL_KMS ??= `http://localhost:${process.env.AWS_PORT ?? 4566}`;
  process.env.TABLE_NAME ??= 'serverless-mfa';
  process.env.KMS_KEY_ID ??= 'alias/serverless-mfa-local';
  const { rotateSigningKey } = await import('../../shared/crypto/keyring.ts');
  return rotateSigningKey();
}

if (values.local === !!values.stage) {
  console.error('Usage: npm run rotate-signing-key -- --stage <stage> [--region <region>] | --local');
  process.exit(2);
}
try {
  const rotation = values.stage ? await rotateDeployed(values.stage, values.region) : await rotateLocal();
  console.log(JSON.stringify(rotation, null, 2));
  if ((rotation as { prePublished?: boolean }).prePublished === false) {
    console.error(
      'Warning: the new signing key was published less than two hours ago. Verifiers that cached the JWKS before (API Gateway caches it up to two hours) refuse its tokens until they fetch the keys again.',
    );
  }
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
