/**
 * Every error kokugen throws is a `KokugenError` with a stable `code`. Callers match on `code`
 * (or `instanceof`), never on the message, which is for people and may change.
 */
export const ErrorCode = {
  InvalidArgument: 'ERR_INVALID_ARGUMENT',
  UnknownWork: 'ERR_UNKNOWN_WORK',
  TaskNotFound: 'ERR_TASK_NOT_FOUND',
  SeriesNotFound: 'ERR_SERIES_NOT_FOUND',
  AlreadyDispatched: 'ERR_ALREADY_DISPATCHED',
  TaskCancelled: 'ERR_TASK_CANCELLED',
  DuplicateId: 'ERR_DUPLICATE_ID',
  NotRunning: 'ERR_NOT_RUNNING',
  PoolFull: 'ERR_POOL_FULL',
  Aborted: 'ERR_ABORTED',
  HookTimeout: 'ERR_HOOK_TIMEOUT',
  HookFailed: 'ERR_HOOK_FAILED',
  ListenerFailed: 'ERR_LISTENER_FAILED',
  InvalidResult: 'ERR_INVALID_RESULT',
  NonErrorThrown: 'ERR_NON_ERROR_THROWN',
  Timeout: 'ERR_TIMEOUT',
  RetryLater: 'ERR_RETRY_LATER',
  StateConflict: 'ERR_STATE_CONFLICT',
  LeaseLost: 'ERR_LEASE_LOST',
  InvalidSchedule: 'ERR_INVALID_SCHEDULE',
  WorkModule: 'ERR_WORK_MODULE',
  StoreLost: 'ERR_STORE_LOST',
  DriverNotInstalled: 'ERR_DRIVER_NOT_INSTALLED',
  RouteNotFound: 'ERR_ROUTE_NOT_FOUND',
  MethodNotAllowed: 'ERR_METHOD_NOT_ALLOWED',
  Forbidden: 'ERR_FORBIDDEN',
  DuplicateKey: 'ERR_DUPLICATE_KEY',
  TransactionUnsupported: 'ERR_TRANSACTION_UNSUPPORTED',
  SchemaMissing: 'ERR_SCHEMA_MISSING',
  SharedDataSource: 'ERR_SHARED_DATA_SOURCE',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class KokugenError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  // Each class names itself: a minifier renames classes, so `constructor.name` would not be stable.
  override get name(): string {
    return 'KokugenError';
  }
}
