/**
 * CloudFormation resource types that LocalStack's free plan (formerly "Community") deploys,
 * restricted to the services this stack uses. Source: LocalStack's feature coverage catalogue
 * (https://docs.localstack.cloud/references/coverage/, per service: "Community" vs "Base/Ultimate"
 * plans) and its CloudFormation resource coverage
 * (https://docs.localstack.cloud/aws/services/cloudformation/). API Gateway v2 (HTTP APIs,
 * `AWS::ApiGatewayV2::*`), AWS WAF (`AWS::WAFv2::*`) and Cognito are paid-plan services there,
 * which is why `-c api=rest` exists and `-c waf=true` is not part of the LocalStack deployment.
 *
 * The infra test holds the `api=rest` template (without WAF) to this list: a new resource type
 * in the stack must be checked against that catalogue before it is added here.
 */
export const localstackFreeTypes: readonly string[] = [
  // CDK's own
  'AWS::CDK::Metadata',
  // API Gateway v1 (REST APIs)
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::GatewayResponse',
  // Lambda (functions and the API's invoke permissions); Custom::AWS is a Lambda-backed custom
  // resource (only with -c manageAccountSmsSettings=true)
  'AWS::Lambda::Function',
  'AWS::Lambda::Permission',
  'Custom::AWS',
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::KMS::Alias',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::Logs::LogGroup',
  'AWS::Logs::MetricFilter',
  'AWS::SNS::Topic',
  'AWS::SNS::TopicPolicy',
  'AWS::SNS::Subscription',
  'AWS::SES::EmailIdentity',
  'AWS::CloudWatch::Alarm',
  'AWS::CloudWatch::Dashboard',
  // The event bus, the table stream's event source mapping and its dead-letter queue (with its
  // TLS-only policy), the signing key rotation schedule: EventBridge, SQS, DynamoDB Streams and
  // Lambda event source mappings are services of the free plan.
  'AWS::Events::EventBus',
  'AWS::Events::Rule',
  'AWS::Lambda::EventSourceMapping',
  'AWS::SQS::Queue',
  'AWS::SQS::QueuePolicy',
];
