import { describe, expect, it } from 'vitest';

import { decodeSqlResult } from '../json-fields.js';

const WHAT = 'run SQL';

describe('SQL result decoding', () => {
  it('reads the documented JSON string of an array of rows', () => {
    expect(decodeSqlResult('[{"id":"a"},{"id":"b"}]', WHAT)).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('reads the double-encoded form: an array holding the rows\' JSON string', () => {
    expect(decodeSqlResult(JSON.stringify(['[{"id":"a"},{"id":"b"}]']), WHAT))
      .toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('joins the rows of several inner strings in order', () => {
    expect(decodeSqlResult(JSON.stringify(['[{"id":"a"}]', '[{"id":"b"}]']), WHAT))
      .toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('reads an empty result as no rows', () => {
    expect(decodeSqlResult('', WHAT)).toEqual([]);
    expect(decodeSqlResult(undefined, WHAT)).toEqual([]);
    expect(decodeSqlResult('[]', WHAT)).toEqual([]);
  });

  it('refuses a result that is not rows, naming the field', () => {
    expect(() => decodeSqlResult('[1, 2]', WHAT)).toThrow(/"result"/);
    expect(() => decodeSqlResult('{not json', WHAT)).toThrow(/"result"/);
  });
});
