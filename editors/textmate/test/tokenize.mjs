// Tokenizes .pipe text with the grammar through vscode-textmate and
// vscode-oniguruma, as VS Code does. Grammars of embedded languages are
// not loaded (their blocks keep the meta.embedded.block.* scope).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
export const grammarPath = join(here, '..', 'pipe.tmLanguage.json');

let registryPromise;

async function registry() {
  const wasm = readFileSync(join(dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  return new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.pipe') return null;
      return vsctm.parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath);
    },
  });
}

// tokenize returns, per line, the tokens as {text, scopes}.
export async function tokenize(text) {
  registryPromise ??= registry();
  const grammar = await (await registryPromise).loadGrammar('source.pipe');
  let state = vsctm.INITIAL;
  const lines = [];
  for (const line of text.split('\n')) {
    const r = grammar.tokenizeLine(line, state);
    lines.push(r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes })));
    state = r.ruleStack;
  }
  return lines;
}
