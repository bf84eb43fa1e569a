// Copies the TextMate grammar (editors/textmate, its one home) into the
// extension, which must carry its own copy.
const fs = require('node:fs');
const path = require('node:path');

const from = path.join(__dirname, '..', '..', 'textmate', 'pipe.tmLanguage.json');
const to = path.join(__dirname, '..', 'syntaxes', 'pipe.tmLanguage.json');
fs.mkdirSync(path.dirname(to), { recursive: true });
fs.copyFileSync(from, to);
