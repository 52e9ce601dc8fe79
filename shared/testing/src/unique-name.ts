import { randomBytes } from 'node:crypto';

/**
 * `<base>-<8 hex>`, within `maxLength`, keeping a `.fifo` suffix last. For resources that
 * parallel test files (and parallel CI jobs on one shared emulator) must not share.
 */
export function uniqueName(base: string, maxLength = 80): string {
  const fifo = base.endsWith('.fifo') ? '.fifo' : '';
  const stem = (fifo ? base.slice(0, -fifo.length) : base).replace(/[^A-Za-z0-9_-]/g, '-');
  const suffix = `-${randomBytes(4).toString('hex')}`;
  return `${stem.slice(0, maxLength - suffix.length - fifo.length)}${suffix}${fifo}`;
}

/** SQS: letters, digits, `-`, `_`; at most 80 characters including `.fifo`. */
export function uniqueQueueName(base: string): string {
  return uniqueName(base, 80);
}

/** SNS: letters, digits, `-`, `_`; at most 256 characters including `.fifo`. */
export function uniqueTopicName(base: string): string {
  return uniqueName(base, 256);
}
