/**
 * The README's "Embedding the construct in your own CDK app" example, kept here so that it
 * compiles and synthesizes (test/infra/team-stack.test.ts); the README copy imports from where a
 * team keeps this repository instead of `../../infra/aws/index.ts`.
 */
import { type App, Stack, type StackProps } from 'aws-cdk-lib';
import { HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { MfaService } from '../../infra/aws/index.ts';

/** The team's own service: an HTTP API whose routes accept the MFA service's access tokens. */
export class OrdersStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: StackProps & { mfa: MfaService }) {
    super(scope, id, props);
    const listOrders = new LambdaFunction(this, 'ListOrders', {
      runtime: Runtime.NODEJS_24_X,
      handler: 'index.handler',
      // API Gateway has checked the token; its claims arrive with the request.
      code: Code.fromInline(
        'exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ user: event.requestContext.authorizer.jwt.claims.sub, orders: [] }) });',
      ),
    });
    this.api = new HttpApi(this, 'OrdersApi');
    this.api.addRoutes({
      path: '/orders',
      methods: [HttpMethod.GET],
      integration: new HttpLambdaIntegration('ListOrdersIntegration', listOrders),
      // Signature, iss, aud and exp of the access token: enrollment tokens are refused.
      authorizer: props.mfa.httpJwtAuthorizer(),
      // Only after a second factor: access tokens carry scope "aal1", or "aal1 aal2" after MFA.
      authorizationScopes: ['aal2'],
    });
  }
}

/** The MFA service in a stack of its own, the team's stack beside it (cross-stack references). */
export function teamApp(app: App) {
  const auth = new Stack(app, 'Auth');
  const mfa = new MfaService(auth, 'Mfa', {
    stage: 'prod',
    allowedOrigins: ['https://app.example.com'],
    sesSender: 'no-reply@example.com',
    smsAllowedCountries: ['NL', 'BE'],
    tableRetention: 'retain',
    logRetentionDays: 30,
    throttle: { rateLimit: 50, burstLimit: 100 },
    smsMonthlySpendLimitUsd: 1,
    eventBusName: 'acme-security-events',
    settings: { SERVICE_NAME: 'Acme ID' },
  });
  const orders = new OrdersStack(app, 'Orders', { mfa });
  return { auth, mfa, orders };
}
