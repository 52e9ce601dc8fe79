export { backendsModeFrom } from './backends-mode.ts';
export { createLogCapture, type LogCapture, type LogRecord } from './create-log-capture.ts';
export { createTcpProxy, type TcpProxy, type TcpTarget } from './create-tcp-proxy.ts';
export { createTestDatabase, type TestDatabase } from './create-test-database.ts';
export { createTestTable, type TestTable } from './create-test-table.ts';
export {
  createTestTokens,
  type TestTokenIssuer,
  type TestTokenOverrides,
  type TestTokens,
} from './create-test-tokens.ts';
export { type LogLine, type SpawnedService, spawnService } from './spawn-service.ts';
export { startBackends } from './start-backends.ts';
export { defaultImages } from './start-container-backends.ts';
export { type OtlpReceiver, type ReceivedSpan, startOtlpReceiver } from './start-otlp-receiver.ts';
export {
  type SegmentDocument,
  startTraceCollector,
  type TraceCollector,
} from './start-trace-collector.ts';
export type { StartedBackends } from './started-backends.ts';
export {
  type AvailableBackends,
  type BackendsMode,
  backendsModes,
  type TestBackends,
  type UnavailableBackends,
} from './test-backends.ts';
export { uniqueName, uniqueQueueName, uniqueTopicName } from './unique-name.ts';
export { describeWithBackends, getBackends, requireBackends } from './use-backends.ts';
export { type WaitForOptions, WaitForTimeoutError, waitFor } from './wait-for.ts';
