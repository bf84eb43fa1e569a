// How the extension starts `pipec lsp`: the parts that need no VS Code,
// so that they are tested under node alone (test/server.test.js).
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/**
 * resolveCommand turns the pipec.path setting into an executable path.
 * A bare name ("pipec") is looked up on PATH; "~/" is the home directory;
 * a relative path with a slash ("./bin/pipec") is taken from the first
 * workspace folder. It returns { command } or { error } with a message
 * that says what to set.
 */
function resolveCommand(setting, { env = process.env, workspaceFolder, platform = process.platform } = {}) {
  let p = (setting || '').trim() || 'pipec';
  if (p === '~' || p.startsWith('~/')) {
    p = path.join(os.homedir(), p.slice(1));
  }
  const hasSlash = p.includes('/') || (platform === 'win32' && p.includes('\\'));
  if (!hasSlash) {
    const found = lookPath(p, env, platform);
    if (found) return { command: found };
    return { error: `"${p}" was not found on PATH. Install pipec (make install, or go install ./cmd/pipec in a checkout) or set "pipec.path" to its full path.` };
  }
  if (!path.isAbsolute(p)) {
    if (!workspaceFolder) {
      return { error: `"pipec.path" is the relative path "${p}", but no folder is open to resolve it against: use an absolute path.` };
    }
    p = path.join(workspaceFolder, p);
  }
  if (!isExecutable(p, platform)) {
    return { error: `"pipec.path" is "${p}", which is not an executable file.` };
  }
  return { command: p };
}

function lookPath(name, env, platform) {
  const exts = platform === 'win32' ? (env.PATHEXT || '.EXE;.CMD;.BAT').split(';') : [''];
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate, platform)) return candidate;
    }
  }
  return null;
}

function isExecutable(p, platform) {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (platform === 'win32') return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * serverOptions is what vscode-languageclient needs to run the server over
 * standard input and output: `pipec lsp` and any extra arguments.
 */
function serverOptions(command, extraArgs = []) {
  const args = ['lsp', ...extraArgs.filter((a) => typeof a === 'string')];
  return { run: { command, args }, debug: { command, args: [...args, '-v'] } };
}

/** The documents the client sends to the server. */
const documentSelector = [
  { scheme: 'file', language: 'pipe' },
  { scheme: 'untitled', language: 'pipe' },
];

module.exports = { resolveCommand, serverOptions, documentSelector };
