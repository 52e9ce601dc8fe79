/**
 * One X-Ray segment document as a service sent it (the parts the tools read): the X-Ray
 * daemon protocol's payload, which `pnpm start` receives and keeps as JSON lines.
 */
export interface SegmentDocument {
  readonly id: string;
  readonly trace_id: string;
  readonly name: string;
  readonly parent_id?: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly in_progress?: boolean;
  readonly fault?: boolean;
  readonly error?: boolean;
  readonly throttle?: boolean;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly http?: {
    readonly request?: { readonly method?: string; readonly url?: string };
    readonly response?: { readonly status?: number };
  };
  readonly aws?: { readonly operation?: string };
  readonly sql?: { readonly sanitized_query?: string };
  readonly subsegments?: readonly SegmentDocument[];
}
