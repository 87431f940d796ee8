import { CfnWebACL, CfnWebACLAssociation } from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { Route } from '../../shared/http/route.ts';
import type { effectiveSettings } from './settings.ts';

type Effective = ReturnType<typeof effectiveSettings>;

/**
 * The route groups AWS WAF rate-limits per client IP, in front of the functions' own per-IP
 * limits (README "Security limits"). The functions answer a precise 429 with Retry-After; WAF
 * only stops floods well past those limits (twice the setting, per window) before they cost a
 * Lambda invocation and a DynamoDB write each. Groups come from the route table: `ipLimit`, and
 * the challenge routes that send codes.
 */
export const wafGroups: readonly {
  name: string;
  matches: (route: Route) => boolean;
  /** The functions' own limit per client address, and the window WAF counts in. */
  limit: (settings: Effective) => number;
  windowSeconds: 60 | 600;
}[] = [
  {
    name: 'SignUp',
    matches: (r) => r.ipLimit === 'signup',
    limit: (s) => s.IP_SIGNUPS_PER_HOUR,
    windowSeconds: 600,
  },
  {
    name: 'Login',
    matches: (r) => r.ipLimit === 'login',
    limit: (s) => s.IP_LOGINS_PER_MINUTE,
    windowSeconds: 60,
  },
  {
    name: 'Verification',
    matches: (r) => r.ipLimit === 'codeCheck',
    limit: (s) => s.IP_CODE_CHECKS_PER_MINUTE,
    windowSeconds: 60,
  },
  {
    name: 'PasswordReset',
    matches: (r) => r.ipLimit === 'passwordReset',
    limit: (s) => s.IP_PASSWORD_RESETS_PER_HOUR,
    windowSeconds: 600,
  },
  {
    name: 'Challenge',
    matches: (r) => r.path.startsWith('/v1/mfa/challenges'),
    limit: (s) => s.CODE_SENDS_PER_IP_PER_HOUR,
    windowSeconds: 600,
  },
];

/** WAF's smallest rate-based limit. */
const WAF_MIN_LIMIT = 10;

/**
 * A URI-path regex for route templates: `{param}` is one path segment, and one leading segment
 * is allowed for the stage (`/prod/v1/users` on the execute-api URL; none behind a custom domain).
 */
export function pathRegex(paths: readonly string[]): string {
  const literal = (text: string) => text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
  const templates = paths.map((path) =>
    path
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith('{') ? '[^/]+' : literal(part)))
      .join(''),
  );
  return `^(/[^/]+)?(${[...new Set(templates)].join('|')})/?$`;
}

const visibility = (metricName: string) => ({
  cloudWatchMetricsEnabled: true,
  metricName,
  sampledRequestsEnabled: true,
});

/** A regional web ACL on the REST API stage: AWS's IP reputation list, then one rate rule per group. */
export function attachWebAcl(
  scope: Construct,
  options: { stage: string; stageArn: string; routes: readonly Route[]; settings: Effective },
): CfnWebACL {
  const prefix = `serverless-mfa-${options.stage}`;
  const rateRules: CfnWebACL.RuleProperty[] = wafGroups.map((group, index) => {
    const paths = options.routes.filter(group.matches).map((route) => route.path);
    if (paths.length === 0) throw new Error(`WAF group ${group.name} matches no route`);
    return {
      name: `${group.name}PerIp`,
      priority: 10 + index,
      action: {
        block: {
          customResponse: {
            responseCode: 429,
            customResponseBodyKey: 'rateLimited',
            responseHeaders: [{ name: 'retry-after', value: String(group.windowSeconds) }],
          },
        },
      },
      statement: {
        rateBasedStatement: {
          aggregateKeyType: 'IP',
          evaluationWindowSec: group.windowSeconds,
          limit: Math.max(WAF_MIN_LIMIT, 2 * group.limit(options.settings)),
          scopeDownStatement: {
            regexMatchStatement: {
              fieldToMatch: { uriPath: {} },
              regexString: pathRegex(paths),
              textTransformations: [{ priority: 0, type: 'NONE' }],
            },
          },
        },
      },
      visibilityConfig: visibility(`${prefix}-${group.name}PerIp`),
    };
  });
  const acl = new CfnWebACL(scope, 'WebAcl', {
    name: prefix,
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: visibility(prefix),
    // The error shape of shared/http/errors.ts, so clients handle WAF's refusal like the API's own.
    customResponseBodies: {
      rateLimited: {
        contentType: 'APPLICATION_JSON',
        content: JSON.stringify({ error: { code: 'rate_limited', message: 'Too many requests.' } }),
      },
    },
    rules: [
      {
        // Addresses AWS threat intelligence lists as bots, scanners and DDoS sources.
        name: 'AWSManagedRulesAmazonIpReputationList',
        priority: 0,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: { vendorName: 'AWS', name: 'AWSManagedRulesAmazonIpReputationList' },
        },
        visibilityConfig: visibility(`${prefix}-IpReputation`),
      },
      ...rateRules,
    ],
  });
  new CfnWebACLAssociation(scope, 'WebAclAssociation', {
    resourceArn: options.stageArn,
    webAclArn: acl.attrArn,
  });
  return acl;
}
