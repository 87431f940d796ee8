/**
 * The single table, defined once: the CDK stack and the local runtime both build it from
 * this, and repositories use these attribute names. Access patterns are listed with the
 * repositories; a GSI is added only when one needs it, with the pattern written beside it.
 */
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds. DynamoDB deletes expired items within ~2 days: housekeeping only; every read checks `expiresAt` itself. */
  ttlAttribute: 'ttl',
  /**
   * The table's change stream, new images only: the `publishEvents` worker (functions/workers.ts)
   * reads inserted `EVENT#` items from it and puts them on the EventBridge bus, so a request never
   * waits for EventBridge and an event committed with its change cannot go unpublished.
   */
  stream: 'NEW_IMAGE',
} as const;

/** Local default name; in AWS the stack generates the name and passes it as TABLE_NAME. */
export const localTableName = 'serverless-mfa';

/** The CreateTable input for DynamoDB Local (and LocalStack), derived from the definition. */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: tableDefinition.partitionKey, AttributeType: 'S' as const },
      { AttributeName: tableDefinition.sortKey, AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' as const },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' as const },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDefinition.stream },
  };
}
