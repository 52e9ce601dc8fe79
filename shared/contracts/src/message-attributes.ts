/**
 * SNS/SQS message attributes of every event. `type` is what subscription filter policies
 * match on (the body is not looked at); the trace header carries the caller's trace from
 * the HTTP request through the outbox, SNS and SQS to the handler.
 *
 * The trace header's attribute name lives here and nowhere else: when tracing moves from
 * X-Ray to OpenTelemetry (`traceparent`), this is the line that changes.
 */
export const typeAttribute = 'type';
export const traceHeaderAttribute = 'X-Amzn-Trace-Id';
