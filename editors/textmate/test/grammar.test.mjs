// Renders .pipe text through vscode-textmate + vscode-oniguruma with the
// grammar and checks the scopes of a few lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokenize, grammarPath } from './tokenize.mjs';

const src = `// Nightly ETL.
pipeline nightly-etl {
  param date = "2024-01-01"
  retry 3 backoff 10s factor 2
  step extract for region in ["eu", "us"] {
    run ["python", "extract.py", "--date", "\${date}", "$\${literal}"]
    output rows = file("/tmp/rows.txt")
  }
  step total after extract failed {
    script python """
import json
print(json.loads('\${extract.rows}'))
"""
  }
  step sh { script bash """
echo "\${date}"
""" }
}
`;

// scopeOf finds the token whose text is `text` on line `line` (0-based).
function scopeOf(lines, line, text, nth = 0) {
  const toks = lines[line].filter((t) => t.text === text);
  assert.ok(toks.length > nth, `no token ${JSON.stringify(text)} on line ${line}: ${JSON.stringify(lines[line].map((t) => t.text))}`);
  return toks[nth].scopes;
}

function has(scopes, want) {
  assert.ok(scopes.includes(want), `scopes ${JSON.stringify(scopes)} lack ${want}`);
}

test('declarations, keywords and values', async () => {
  const l = await tokenize(src);
  has(scopeOf(l, 0, '// Nightly ETL.'), 'comment.line.double-slash.pipe');
  has(scopeOf(l, 1, 'pipeline'), 'storage.type.pipeline.pipe');
  has(scopeOf(l, 1, 'nightly-etl'), 'entity.name.type.pipeline.pipe');
  has(scopeOf(l, 2, 'param'), 'keyword.other.param.pipe');
  has(scopeOf(l, 2, 'date'), 'variable.parameter.pipe');
  has(scopeOf(l, 2, '2024-01-01'), 'string.quoted.double.pipe');
  has(scopeOf(l, 3, 'retry'), 'keyword.other.pipe');
  has(scopeOf(l, 3, '3'), 'constant.numeric.integer.pipe');
  has(scopeOf(l, 3, 'backoff'), 'keyword.other.clause.pipe');
  has(scopeOf(l, 3, '10s'), 'constant.numeric.duration.pipe');
  has(scopeOf(l, 4, 'extract'), 'entity.name.function.step.pipe');
  has(scopeOf(l, 4, 'region'), 'variable.other.loop.pipe');
  has(scopeOf(l, 6, 'rows'), 'variable.other.property.output.pipe');
  has(scopeOf(l, 6, 'file'), 'support.function.builtin.pipe');
  has(scopeOf(l, 8, 'after'), 'keyword.control.pipe');
  has(scopeOf(l, 8, 'failed'), 'keyword.other.outcome.pipe');
});

test('references inside ${...}, and the $${ escape', async () => {
  const l = await tokenize(src);
  has(scopeOf(l, 5, '${'), 'punctuation.section.interpolation.begin.pipe');
  const d = scopeOf(l, 5, 'date');
  has(d, 'variable.other.reference.pipe');
  has(d, 'string.quoted.double.pipe');
  has(scopeOf(l, 5, '$${'), 'constant.character.escape.interpolation.pipe');
});

test('embedded scripts get their language scope', async () => {
  const l = await tokenize(src);
  has(scopeOf(l, 9, 'script'), 'keyword.other.script.pipe');
  has(scopeOf(l, 9, 'python'), 'entity.name.type.language.pipe');
  const body = l[10][0].scopes;
  has(body, 'meta.embedded.block.python');
  assert.ok(!body.includes('string.quoted.triple.pipe'), 'a script body is not a string');
  has(scopeOf(l, 11, 'extract'), 'variable.other.reference.pipe');
  has(scopeOf(l, 11, 'extract'), 'meta.embedded.block.python');
  has(scopeOf(l, 12, '"""'), 'punctuation.definition.string.end.pipe');
  has(l[13][0].scopes, 'source.pipe'); // back to pipe after the script
  has(l[15][0].scopes, 'meta.embedded.block.shell');
  has(scopeOf(l, 16, '"""'), 'punctuation.definition.string.end.pipe');
});

test('every example tokenizes, each script block ends', async () => {
  const dir = join(import.meta.dirname, '..', '..', '..', 'examples');
  const files = readdirSync(dir).filter((f) => f.endsWith('.pipe'));
  assert.ok(files.length > 10, 'examples not found');
  for (const f of files) {
    const lines = await tokenize(readFileSync(join(dir, f), 'utf8'));
    const last = lines.filter((l) => l.length > 0).at(-1);
    assert.deepEqual(last.at(-1).scopes.filter((s) => s.includes('embedded') || s.startsWith('string')), [], `${f}: the last line is still inside a string or script`);
  }
  assert.ok(grammarPath.endsWith('pipe.tmLanguage.json'));
});
