import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createLinePrinter } from '../../src/system/create-line-printer.ts';

function capture(pretty: boolean) {
  const written: string[] = [];
  const print = createLinePrinter({
    names: ['backends', 'user'],
    pretty,
    // Colours depend on the terminal and FORCE_COLOR; the text is what is checked here.
    write: (text) => written.push(stripVTControlCharacters(text)),
  });
  return { print, written };
}

describe('createLinePrinter', () => {
  it('prefixes lines with the padded name', () => {
    const { print, written } = capture(false);
    print('user', 'hello', 'stdout');
    print('backends', '{"level":"info","msg":"x"}', 'stdout');
    expect(written).toEqual(['user     │ hello', 'backends │ {"level":"info","msg":"x"}']);
  });

  it('shows pino lines as LEVEL message {fields} when pretty', () => {
    const { print, written } = capture(true);
    print('user', '{"level":"warn","time":"t","service":"user","msg":"slow","ms":1200}', 'stdout');
    print('user', '{"level":30,"time":1,"pid":1,"hostname":"h","msg":"listening"}', 'stdout');
    print('user', 'not json {', 'stderr');
    expect(written).toEqual([
      'user     │ WARN  slow {"ms":1200}',
      'user     │ INFO  listening',
      'user     │ not json {',
    ]);
  });
});
