import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { routeList } from '../../functions/routes.ts';
import { build, props, synth } from './support.ts';

/**
 * Throttling (issue 14): the stage is sized for about 500 password + MFA logins a second, and the
 * routes that send email or SMS, or check a password or a code, have limits of their own below
 * it, so a flood of one cannot take the capacity of all. Both front doors carry the same limits.
 */
const throttled = routeList.filter((route) => route.throttle);
const deployed = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as {
  throttleRate: number;
  throttleBurst: number;
};

describe('API Gateway throttling', () => {
  it('cdk.json sizes the stage for 500 logins a second (each a password and a code: two requests)', () => {
    expect(deployed.throttleRate).toBeGreaterThanOrEqual(2 * 500);
    expect(deployed.throttleBurst).toBeGreaterThanOrEqual(deployed.throttleRate);
  });

  it('the sensitive routes have their own limits: sign-up, login, codes, resets, invitations', () => {
    expect(throttled.map((route) => route.name).sort()).toEqual(
      [
        'addMember',
        'confirmPasswordReset',
        'createChallenge',
        'createPasswordReset',
        'createSession',
        'createUser',
        'recoverMfa',
        'reportSecurityEvent',
        'resendChallenge',
        'resendUserVerification',
        'verifyMfa',
        'verifyUser',
      ].sort(),
    );
    for (const route of throttled) expect(route.throttle?.rateLimit).toBeLessThan(deployed.throttleRate);
    // Login and its code check carry 500 logins a second.
    for (const name of ['createSession', 'verifyMfa']) {
      expect(throttled.find((route) => route.name === name)?.throttle?.rateLimit).toBeGreaterThanOrEqual(500);
    }
  });

  it('HTTP API: the stage has the route settings, by route key, and waits for those routes', () => {
    const template = synth({ routeThrottles: { createUser: { rateLimit: 5, burstLimit: 10 } } });
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0] as {
      Properties: { RouteSettings: Record<string, unknown>; DefaultRouteSettings: Record<string, unknown> };
      DependsOn: string[];
    };
    expect(stage.Properties.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: props.throttle.rateLimit,
      ThrottlingBurstLimit: props.throttle.burstLimit,
    });
    const expected = Object.fromEntries(
      throttled.map((route) => [
        `${route.method} ${route.path}`,
        route.name === 'createUser'
          ? { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }
          : {
              ThrottlingRateLimit: route.throttle?.rateLimit,
              ThrottlingBurstLimit: route.throttle?.burstLimit,
            },
      ]),
    );
    expect(stage.Properties.RouteSettings).toEqual(expected);
    const routes = template.findResources('AWS::ApiGatewayV2::Route', {
      Properties: { RouteKey: 'POST /v1/sessions' },
    });
    expect(stage.DependsOn).toEqual(expect.arrayContaining(Object.keys(routes)));
  });

  it('REST API: the stage has the same limits as method settings', () => {
    const template = synth({ api: 'rest' });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith(
        throttled.map((route) =>
          Match.objectLike({
            HttpMethod: route.method,
            // MethodSettings encode every `/` of the path as `~1`, after a leading `/`.
            ResourcePath: `/${route.path.replaceAll('/', '~1')}`,
            ThrottlingRateLimit: route.throttle?.rateLimit,
            ThrottlingBurstLimit: route.throttle?.burstLimit,
          }),
        ),
      ),
    });
  });

  it.each([
    [{ nope: { rateLimit: 1, burstLimit: 1 } }, 'routeThrottles.nope is not a route of functions/routes.ts'],
    [{ createUser: { rateLimit: 0, burstLimit: 1 } }, 'routeThrottles.createUser.rateLimit must be > 0'],
    [
      { createUser: { rateLimit: 1, burstLimit: 1.5 } },
      'routeThrottles.createUser.burstLimit must be an integer > 0',
    ],
  ])('a bad override %j is refused at synth', (routeThrottles, message) => {
    expect(() => build({ routeThrottles })).toThrow(message);
  });
});
