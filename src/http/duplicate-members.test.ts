import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDuplicateMember } from './duplicate-members.js';

/** Scans JSON text as the body reader does: with what JSON.parse made of it. */
const find = (text: string) => findDuplicateMember(text, JSON.parse(text));

describe('findDuplicateMember', () => {
  it('finds nothing in JSON without repeated names', () => {
    for (const text of [
      '{}',
      '[]',
      'null',
      '"a"',
      '12.5e3',
      '{"id":1,"model":"M","color":"C"}',
      '[{"a":1},{"a":2}]',
      '{"a":{"a":{"a":1}}}',
      '{"a":[{"b":1,"c":2},{"b":3}],"b":4}',
      '{"a":"{\\"a\\":1,\\"a\\":2}","b":"a"}',
      '{"a\\\\":1,"a":2}',
      '{"a":1,"A":2,"a ":3}',
    ]) {
      assert.equal(find(text), undefined, text);
    }
  });

  it('points at the repeated member at any depth', () => {
    const cases: [string, string][] = [
      ['{"id":701,"model":"M","color":"C","id":702}', '/id'],
      ['{"a":{"b":1,"b":2}}', '/a/b'],
      ['[0,{"a":1},[{"x":1,"x":1}]]', '/2/0/x'],
      ['{"a":[{"b":1},{"c":[1,2,{"d":1,"e":{},"d":2}]}]}', '/a/1/c/2/d'],
      ['{"":1,"":2}', '/'],
      ['{"a/b":1,"a/b":2}', '/a~1b'],
      ['{"~":1,"~":2}', '/~0'],
      [' { "a" : 1 , "a" : 1 } ', '/a'],
    ];
    for (const [text, pointer] of cases) assert.equal(find(text), pointer, text);
  });

  it('compares names after unescaping them', () => {
    assert.equal(find('{"id":1,"i\\u0064":2}'), '/id');
    assert.equal(find('{"a\\"b":1,"a\\u0022b":2}'), '/a"b');
    assert.equal(find('{"\\ud83d\\ude97":1,"🚗":2}'), '/🚗');
  });

  it('is not misled by braces, commas, colons and quotes inside strings', () => {
    assert.equal(find('{"a":"}, \\"a\\": {","b":"\\\\","a":1}'), '/a');
    assert.equal(find('{"x":"[1,2]","y":"{\\"x\\":0}"}'), undefined);
  });

  it('scans 100,000 nested arrays and objects without recursion', () => {
    const depth = 100_000;
    assert.equal(find('['.repeat(depth) + ']'.repeat(depth)), undefined);
    const nested = '{"a":'.repeat(depth) + '{"b":1,"b":2}' + '}'.repeat(depth);
    assert.equal(find(nested), `${'/a'.repeat(depth)}/b`);
  });

  it('handles an object with 200,000 distinct names, and one repeated at the end', () => {
    const names = Array.from({ length: 200_000 }, (_, i) => `"k${i}":${i}`);
    assert.equal(find(`{${names.join(',')}}`), undefined);
    assert.equal(find(`{${names.join(',')},"k0":0}`), '/k0');
  });
});
