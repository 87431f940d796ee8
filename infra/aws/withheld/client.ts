/**
 * What the stack bundles instead of an AWS SDK client that a function's permissions do not name
 * (an esbuild alias in service.ts): IAM would refuse every call anyway, so the client's code (50
 * KiB for KMS, 25 for SES, 21 for SNS) and its initialisation are left out. Constructing one
 * costs nothing; a call rejects the way IAM would, with `AccessDeniedException`, and names the
 * missing permission, so a route that starts to need one fails its tests in the local runtime's
 * `--bundles` mode rather than in production.
 */
export class WithheldClientError extends Error {
  override name = 'AccessDeniedException';
}

export function withheldClient(service: string, permission: string) {
  return class WithheldClient {
    readonly config: unknown;
    constructor(config?: unknown) {
      this.config = config;
    }
    async send(command: { constructor: { name: string } }): Promise<never> {
      throw new WithheldClientError(
        `${service} ${command.constructor.name}: this function was bundled without the ${service} client, as its permissions do not include ${permission} (functions/routes.ts).`,
      );
    }
    destroy(): void {}
  };
}

/** A command keeps its input, as the SDK's do; only `send` above looks at it. */
export class WithheldCommand<Input = unknown> {
  readonly input: Input;
  constructor(input: Input) {
    this.input = input;
  }
}
