import type { Dispatcher } from 'undici';

/** An answer as the service sent it: its bytes, with its `content-type` in the headers. */
export interface RawServiceResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** An attempt aborted at its timeout: undici closes its socket, so the service sees it go. */
export class AttemptTimedOut extends Error {
  constructor(timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** An answer cut at the size bound: a broken service, not a transient one. */
export class AnswerTooLarge extends Error {
  constructor(maxBytes: number) {
    super(`answered more than ${maxBytes} bytes`);
  }
}

/**
 * One request and its whole answer, from sending to the last byte, bounded by `timeoutMs`.
 * At the bound the promise rejects with AttemptTimedOut and the request is aborted: undici
 * destroys its socket, or, if it is still waiting for a connection, aborts it as it starts.
 */
export function exchange(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  timeoutMs: number,
  maxBytes: number,
): Promise<RawServiceResponse> {
  return new Promise((resolve, reject) => {
    const handler = new BufferingHandler(resolve, reject, timeoutMs, maxBytes);
    try {
      dispatcher.dispatch(options, handler);
    } catch (error) {
      // Refused before sending (a bad header value): no socket was touched.
      handler.onResponseError(undefined, error as Error);
    }
  });
}

/**
 * undici's dispatcher handler, collecting the body into one buffer. The service client
 * and the X-Ray batches read every answer whole, so this does without undici's
 * `request()`: its body stream, its abort-signal listener and its async resource cost
 * the gateway ~10 % of its throughput on a pass-through route (ADR 0053).
 */
class BufferingHandler implements Dispatcher.DispatchHandler {
  #controller: Dispatcher.DispatchController | undefined;
  #status = 0;
  #headers: Record<string, string> = {};
  #chunks: Buffer[] = [];
  #received = 0;
  #settled = false;
  #reason: Error | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #maxBytes: number;
  readonly #resolve: (response: RawServiceResponse) => void;
  readonly #reject: (error: Error) => void;

  constructor(
    resolve: (response: RawServiceResponse) => void,
    reject: (error: Error) => void,
    timeoutMs: number,
    maxBytes: number,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#maxBytes = maxBytes;
    this.#timer = setTimeout(() => this.#timeOut(timeoutMs), timeoutMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.#reason) controller.abort(this.#reason);
    else this.#controller = controller;
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: Record<string, string | string[] | undefined>,
  ): void {
    // 1xx informational answers come before the real one.
    if (statusCode < 200) return;
    this.#status = statusCode;
    this.#headers = flattenHeaders(headers);
    // A declared length past the bound is refused before a byte of the body is read.
    if (Number(this.#headers['content-length']) > this.#maxBytes) {
      this.#cut(new AnswerTooLarge(this.#maxBytes));
    }
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#received += chunk.length;
    if (this.#received > this.#maxBytes) this.#cut(new AnswerTooLarge(this.#maxBytes));
    else this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settle()) {
      const chunks = this.#chunks;
      const body = chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks);
      this.#resolve({ status: this.#status, headers: this.#headers, body });
    }
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, error: Error): void {
    if (this.#settle()) this.#reject(error);
  }

  #timeOut(timeoutMs: number): void {
    this.#cut(new AttemptTimedOut(timeoutMs));
  }

  /** Ends the attempt with `error` and aborts the request: undici closes its socket. */
  #cut(error: Error): void {
    if (!this.#settle()) return;
    this.#reason = error;
    this.#chunks = [];
    this.#controller?.abort(error);
    this.#reject(error);
  }

  /** True the first time: an answer, an error and the timeout race to end an attempt. */
  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    clearTimeout(this.#timer);
    return true;
  }
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const key in headers) {
    const value = headers[key];
    if (value !== undefined) flat[key] = typeof value === 'string' ? value : value.join(', ');
  }
  return flat;
}
