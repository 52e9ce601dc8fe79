import { expect, it } from 'vitest';
import { createRecordOnlyMailer } from '../../src/adapters/record-only-mailer.ts';

it('reports every message as recorded, with no provider id', async () => {
  const result = await createRecordOnlyMailer().send('ada@example.com', {
    subject: 's',
    text: 't',
    html: '<p>h</p>',
  });
  expect(result).toEqual({ status: 'recorded' });
});
