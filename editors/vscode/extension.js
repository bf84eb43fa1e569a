// The pipec extension for VS Code: the .pipe language (grammar and
// language configuration, declared in package.json) and a client of the
// pipec language server, started as `pipec lsp` from the pipec.path
// setting.
'use strict';

const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');
const { resolveCommand, serverOptions, documentSelector } = require('./server');

let client;
let output;

async function start() {
  const config = vscode.workspace.getConfiguration('pipec');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const resolved = resolveCommand(config.get('path'), { workspaceFolder: folder });
  if (resolved.error) {
    const choice = await vscode.window.showErrorMessage(`pipec: ${resolved.error}`, 'Open Settings');
    if (choice === 'Open Settings') {
      vscode.commands.executeCommand('workbench.action.openSettings', 'pipec.path');
    }
    return;
  }
  client = new LanguageClient('pipec', 'pipec', serverOptions(resolved.command, config.get('lsp.args')), {
    documentSelector,
    outputChannel: output,
  });
  await client.start();
}

async function stop() {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop();
  }
}

async function activate(context) {
  output = vscode.window.createOutputChannel('pipec');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('pipec.restartServer', async () => {
      await stop();
      await start();
    }),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (e.affectsConfiguration('pipec.path') || e.affectsConfiguration('pipec.lsp.args')) {
        await stop();
        await start();
      }
    }),
  );
  await start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };
