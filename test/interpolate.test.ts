import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { interpolate, type InterpolationResult } from '../src/compose/interpolate.js';

/** Interpolates `input` with only the given variables set (SET="v" and EMPTY="" unless overridden). */
function run(input: string, vars: Record<string, string> = { SET: 'v', EMPTY: '' }): InterpolationResult {
  return interpolate(input, (name) => (Object.hasOwn(vars, name) ? vars[name] : undefined));
}

const value = (input: string, vars?: Record<string, string>): string => run(input, vars).value;

describe('interpolate: plain forms', () => {
  it('turns $$ into a literal $ and reads no variable', () => {
    const r = run('a$$b$$$$c');
    assert.equal(r.value, 'a$b$$c');
    assert.deepEqual(r.used, []);
    assert.deepEqual(r.unresolved, []);
  });

  it('substitutes $VAR, stopping at the first non-name character', () => {
    assert.equal(value('x$SET-y'), 'xv-y');
    assert.equal(value('$SET_2'), '');
    assert.equal(value('$SET.$SET'), 'v.v');
  });

  it('substitutes ${VAR}', () => {
    assert.equal(value('pre${SET}post'), 'prevpost');
  });

  it('keeps a "}" outside any ${...} as text', () => {
    assert.equal(value('${SET}}'), 'v}');
  });

  it('returns an empty string for an unset variable and records it as unresolved and used', () => {
    const r = run('[$MISSING|${ALSO}]');
    assert.equal(r.value, '[|]');
    assert.deepEqual(r.unresolved, ['MISSING', 'ALSO']);
    assert.deepEqual(r.used, ['MISSING', 'ALSO']);
    assert.deepEqual(r.required, []);
    assert.equal(r.syntax, undefined);
  });

  it('lists each variable once in used and unresolved, in order of first use', () => {
    const r = run('$B$A${B}$SET$A');
    assert.deepEqual(r.used, ['B', 'A', 'SET']);
    assert.deepEqual(r.unresolved, ['B', 'A']);
  });

  it('does not count a set-but-empty variable as unresolved', () => {
    const r = run('[${EMPTY}]');
    assert.equal(r.value, '[]');
    assert.deepEqual(r.unresolved, []);
    assert.deepEqual(r.used, ['EMPTY']);
  });
});

describe('interpolate: defaults', () => {
  it('${VAR:-d} takes the default when VAR is unset or empty', () => {
    assert.equal(value('${MISSING:-d}'), 'd');
    assert.equal(value('${EMPTY:-d}'), 'd');
    assert.equal(value('${SET:-d}'), 'v');
  });

  it('${VAR-d} takes the default only when VAR is unset, not when it is empty', () => {
    assert.equal(value('${MISSING-d}'), 'd');
    assert.equal(value('${EMPTY-d}'), '');
    assert.equal(value('${SET-d}'), 'v');
  });

  it('a default covers its variable: it is used but not unresolved', () => {
    const r = run('${MISSING:-d}');
    assert.deepEqual(r.used, ['MISSING']);
    assert.deepEqual(r.unresolved, []);
  });

  it('allows an empty default', () => {
    const r = run('[${MISSING:-}]');
    assert.equal(r.value, '[]');
    assert.deepEqual(r.unresolved, []);
  });

  it('keeps ":" and "/" inside a default', () => {
    assert.equal(value('${URL:-http://host:8080/x}'), 'http://host:8080/x');
  });

  it('reads $$ in a default as a literal $', () => {
    assert.equal(value('${MISSING:-a$$b}'), 'a$b');
  });

  it('resolves nested defaults ${A:-${B:-x}}', () => {
    assert.equal(value('${A:-${B:-x}}'), 'x');
    assert.equal(value('${A:-${B:-x}}', { B: 'b' }), 'b');
    assert.equal(value('${A:-${B:-x}}', { A: 'a', B: 'b' }), 'a');
    assert.deepEqual(run('${A:-${B:-x}}').used, ['A', 'B']);
    assert.deepEqual(run('${A:-${B:-x}}').unresolved, []);
  });

  it('counts an unset variable inside a default only when the default is taken', () => {
    const taken = run('${A:-$B}');
    assert.equal(taken.value, '');
    assert.deepEqual(taken.unresolved, ['B']);
    assert.deepEqual(taken.used, ['A', 'B']);

    const skipped = run('${A:-${B}}', { A: 'a' });
    assert.equal(skipped.value, 'a');
    assert.deepEqual(skipped.unresolved, []);
    assert.deepEqual(skipped.used, ['A', 'B']);
  });

  it('with ${VAR-d}, an empty VAR does not take the default, so its unset inner variable is not unresolved', () => {
    const r = run('${EMPTY-$B}');
    assert.equal(r.value, '');
    assert.deepEqual(r.unresolved, []);
  });
});

describe('interpolate: required variables', () => {
  it('${VAR:?err} records an unset or empty VAR with its message', () => {
    const unset = run('x${MISSING:?set it please}');
    assert.equal(unset.value, 'x');
    assert.deepEqual(unset.required, [{ name: 'MISSING', message: 'set it please' }]);
    assert.equal(unset.syntax, undefined);

    assert.deepEqual(run('${EMPTY:?no empty}').required, [{ name: 'EMPTY', message: 'no empty' }]);
    const set = run('${SET:?unused}');
    assert.equal(set.value, 'v');
    assert.deepEqual(set.required, []);
  });

  it('${VAR?err} records only an unset VAR; empty is accepted', () => {
    assert.deepEqual(run('${MISSING?must}').required, [{ name: 'MISSING', message: 'must' }]);
    const empty = run('[${EMPTY?must}]');
    assert.equal(empty.value, '[]');
    assert.deepEqual(empty.required, []);
  });

  it('records an empty message for ${VAR:?}', () => {
    assert.deepEqual(run('${MISSING:?}').required, [{ name: 'MISSING', message: '' }]);
  });

  it('interpolates the message', () => {
    assert.deepEqual(run('${MISSING:?needs $SET}').required, [{ name: 'MISSING', message: 'needs v' }]);
  });

  it('records a required variable inside a default only when that default is taken', () => {
    assert.deepEqual(run('${A-${B:?no B}}').required, [{ name: 'B', message: 'no B' }]);
    assert.deepEqual(run('${A-${B:?no B}}', { A: 'a' }).required, []);
  });

  it('an unset ${VAR:?err} variable has no value, so it is also unresolved', () => {
    // With strictVariables off the caller only warns about it; the value ("") must still read as "cannot tell".
    const r = run('${MISSING:?set it}');
    assert.deepEqual(r.unresolved, ['MISSING']);
  });
});

describe('interpolate: alternatives', () => {
  it('${VAR:+alt} gives alt when VAR is set and non-empty, else ""', () => {
    assert.equal(value('[${SET:+alt}]'), '[alt]');
    assert.equal(value('[${EMPTY:+alt}]'), '[]');
    assert.equal(value('[${MISSING:+alt}]'), '[]');
  });

  it('${VAR+alt} gives alt when VAR is set, even empty', () => {
    assert.equal(value('[${SET+alt}]'), '[alt]');
    assert.equal(value('[${EMPTY+alt}]'), '[alt]');
    assert.equal(value('[${MISSING+alt}]'), '[]');
  });

  it('an unset VAR in ${VAR:+alt} is not unresolved: the result is known to be ""', () => {
    const r = run('${MISSING:+alt}');
    assert.deepEqual(r.unresolved, []);
    assert.deepEqual(r.used, ['MISSING']);
  });

  it('counts an unset variable inside alt only when alt is taken', () => {
    assert.deepEqual(run('${SET:+$B}').unresolved, ['B']);
    assert.deepEqual(run('${MISSING:+$B}').unresolved, []);
  });
});

describe('interpolate: a "$" that starts no variable', () => {
  it('keeps a lone $ as written', () => {
    for (const s of ['$', 'a$', '$ b', '$1', '$-', 'cost: 5$', '$.x']) {
      const r = run(s);
      assert.equal(r.value, s, s);
      assert.deepEqual(r.used, [], s);
      assert.equal(r.syntax, undefined, s);
    }
  });

  it('keeps the "$2a$14" of a bcrypt hash, but "$abc" after it is still a variable', () => {
    const r = run('$2a$14$abc');
    assert.equal(r.value, '$2a$14');
    assert.deepEqual(r.unresolved, ['abc']);
  });

  it('keeps a bcrypt hash whose salt starts with "." or "/" unchanged', () => {
    const hash = '$2a$14$./Jq8Q7fbtFRQvXpdCq7Jcu';
    assert.equal(value(hash), hash);
  });
});

describe('interpolate: syntax errors', () => {
  const syntax = (input: string) => {
    const r = run(input);
    assert.ok(r.syntax, `expected a syntax error for ${input}`);
    return r;
  };

  it('"${" at the end of the string, at offset 0', () => {
    const r = syntax('${');
    assert.equal(r.syntax?.offset, 0);
    assert.match(r.syntax?.message ?? '', /variable name/);
    assert.equal(r.value, '${');
  });

  it('"${}" is an empty name', () => {
    const r = syntax('ab${}');
    assert.equal(r.syntax?.offset, 2);
    assert.match(r.syntax?.message ?? '', /empty variable name/);
  });

  it('"${1X}" does not start with a name character', () => {
    const r = syntax('x ${1X}');
    assert.equal(r.syntax?.offset, 2);
    assert.match(r.syntax?.message ?? '', /variable name/);
  });

  it('"${A:x}" has an unknown operator, reported at the ":"', () => {
    assert.equal(syntax('${A:x}').syntax?.offset, 3);
    const r = syntax('ab${A:x}');
    assert.equal(r.syntax?.offset, 5);
    assert.match(r.syntax?.message ?? '', /unexpected ":" after variable name "A"/);
    assert.equal(r.value, 'ab${A:x}');
  });

  it('"${A" is never closed', () => {
    const r = syntax('a ${A');
    assert.equal(r.syntax?.offset, 2);
    assert.match(r.syntax?.message ?? '', /never closed/);
  });

  it('an unclosed "${" is reported at its own offset, not at a later closed one', () => {
    // "${A:-x${B}": the "${" at 0 is unclosed; the "${B}" at 6 is complete.
    const r = syntax('${A:-x${B}');
    assert.equal(r.syntax?.offset, 0);
  });

  it('reports a syntax error inside a default that is not taken', () => {
    const r = syntax('${SET:-${}}');
    assert.equal(r.syntax?.offset, 7);
  });
});

describe('interpolate: properties', () => {
  const dollarHeavy = fc.string({ unit: fc.constantFrom('$', '{', '}', ':', '-', '?', '+', 'A', '_', '1', ' ') });

  it('returns any string without "$" unchanged, reading no variable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const input = s.split('$').join('');
        const r = run(input);
        assert.equal(r.value, input);
        assert.deepEqual(r.used, []);
        assert.equal(r.syntax, undefined);
      }),
    );
  });

  it('interpolate(s with every "$" doubled) gives back s', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), dollarHeavy), (s) => {
        // Not s.replaceAll('$', '$$'): in a replacement string "$$" means one "$", so that would change nothing.
        const r = run(s.split('$').join('$$'));
        assert.equal(r.value, s);
        assert.deepEqual(r.used, []);
        assert.equal(r.syntax, undefined);
      }),
    );
  });

  it('never throws; on a syntax error the value is the input and the offset lies inside it', () => {
    fc.assert(
      fc.property(dollarHeavy, (s) => {
        const r = run(s);
        if (r.syntax) {
          assert.equal(r.value, s);
          assert.ok(r.syntax.offset >= 0 && r.syntax.offset < s.length, `offset ${r.syntax.offset} in ${JSON.stringify(s)}`);
        }
      }),
    );
  });
});
