// Tests of the extension's host-free parts: resolving the pipec.path
// setting, the server options, the manifest and language configuration,
// and a real `pipec lsp` driven through vscode-jsonrpc (the protocol layer
// vscode-languageclient uses) with the options the extension builds.
'use strict';

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const cp = require('node:child_process');
const { resolveCommand, serverOptions, documentSelector } = require('../server');

const root = path.join(__dirname, '..');

function tempExe(name) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipec-ext-'));
  const p = path.join(dir, name);
  fs.writeFileSync(p, '#!/bin/sh\n', { mode: 0o755 });
  return { dir, p };
}

test('pipec.path: a bare name is looked up on PATH', () => {
  const { dir, p } = tempExe('pipec');
  assert.deepEqual(resolveCommand('pipec', { env: { PATH: `/nonexistent${path.delimiter}${dir}` } }), { command: p });
  assert.deepEqual(resolveCommand('', { env: { PATH: dir } }), { command: p }, 'empty means pipec');
  const r = resolveCommand('pipec', { env: { PATH: '/nonexistent' } });
  assert.match(r.error, /not found on PATH.*pipec\.path/);
});

test('pipec.path: absolute, relative to the workspace, and ~', () => {
  const { dir, p } = tempExe('pipec');
  assert.deepEqual(resolveCommand(p), { command: p });
  assert.deepEqual(resolveCommand('./pipec', { workspaceFolder: dir }), { command: p });
  assert.match(resolveCommand('./pipec').error, /no folder is open/);
  assert.match(resolveCommand(path.join(dir, 'nope')).error, /not an executable file/);
  fs.chmodSync(p, 0o644);
  assert.match(resolveCommand(p).error, /not an executable file/);
  const home = resolveCommand('~/definitely-not-here/pipec');
  assert.ok(home.error.includes(os.homedir()), home.error);
});

test('server options: pipec lsp with extra arguments, -v when debugging', () => {
  const o = serverOptions('/usr/bin/pipec', ['--log', '/tmp/x.log', 3]);
  assert.deepEqual(o.run, { command: '/usr/bin/pipec', args: ['lsp', '--log', '/tmp/x.log'] });
  assert.deepEqual(o.debug.args, ['lsp', '--log', '/tmp/x.log', '-v']);
  assert.deepEqual(documentSelector.map((d) => d.language), ['pipe', 'pipe']);
});

test('manifest: language, grammar, configuration and entry point agree', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const lang = pkg.contributes.languages.find((l) => l.id === 'pipe');
  assert.deepEqual(lang.extensions, ['.pipe']);
  const conf = JSON.parse(fs.readFileSync(path.join(root, lang.configuration), 'utf8'));
  assert.equal(conf.comments.lineComment, '//');
  assert.deepEqual(conf.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const g = pkg.contributes.grammars[0];
  const grammar = fs.readFileSync(path.join(root, g.path), 'utf8');
  assert.equal(grammar, fs.readFileSync(path.join(root, '..', 'textmate', 'pipe.tmLanguage.json'), 'utf8'), 'the grammar copy is current');
  assert.equal(JSON.parse(grammar).scopeName, g.scopeName);
  for (const scope of Object.keys(g.embeddedLanguages)) {
    assert.ok(grammar.includes(`"${scope}"`), `the grammar has no ${scope}`);
  }
  assert.ok(fs.existsSync(path.join(root, pkg.main)));
  assert.equal(pkg.contributes.configuration.properties['pipec.path'].default, 'pipec');
  assert.ok(pkg.activationEvents.includes('onLanguage:pipe'));
  assert.match(pkg.dependencies['vscode-languageclient'], /^\d+\.\d+\.\d+$/, 'pinned exactly');
});

// pipecBinary is PIPEC_BIN, or pipec built from this checkout.
function pipecBinary() {
  if (process.env.PIPEC_BIN) return process.env.PIPEC_BIN;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pipec-bin-')), 'pipec');
  cp.execFileSync('go', ['build', '-o', out, './cmd/pipec'], { cwd: path.join(root, '..', '..'), stdio: 'inherit' });
  return out;
}

test('a real pipec lsp, started as the extension starts it', async () => {
  const rpc = require('vscode-jsonrpc/node');
  const { dir } = tempExe('unused');
  const bin = pipecBinary();
  const resolved = resolveCommand(bin);
  assert.equal(resolved.command, bin);
  const opts = serverOptions(resolved.command, []).run;
  const proc = cp.spawn(opts.command, opts.args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  const diags = new Promise((resolve) => conn.onNotification('textDocument/publishDiagnostics', (p) => resolve(p)));
  const logs = [];
  conn.onNotification('window/logMessage', (p) => logs.push(p));
  conn.listen();
  const init = await conn.sendRequest('initialize', { processId: process.pid, rootUri: `file://${dir}`, capabilities: {} });
  assert.deepEqual(init.capabilities.semanticTokensProvider.full, { delta: true });
  assert.ok(init.capabilities.semanticTokensProvider.legend.tokenTypes.includes('keyword'));
  conn.sendNotification('initialized', {});
  const uri = `file://${dir}/a.pipe`;
  conn.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'pipe', version: 1, text: 'pipeline a {\n  image "alpine"\n  step s { runn ["true"] }\n}\n' },
  });
  const d = await diags;
  assert.equal(d.uri, uri);
  assert.ok(d.diagnostics.some((x) => x.message.includes('runn')), JSON.stringify(d.diagnostics));
  const toks = await conn.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } });
  assert.ok(toks.data.length > 0 && toks.data.length % 5 === 0);
  await conn.sendRequest('shutdown');
  conn.sendNotification('exit');
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  conn.dispose();
  assert.equal(code, 0);
  assert.equal(stderr, '', 'pipec lsp is quiet on stderr');
  assert.ok(logs.some((l) => l.type === 3 && l.message.startsWith('initialized')), JSON.stringify(logs));
});
