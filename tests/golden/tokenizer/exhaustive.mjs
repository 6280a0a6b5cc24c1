import tk from '@anush008/tokenizers';
import fs from 'fs';
const t = tk.Tokenizer.fromFile('/work/shared/models/bert-base-uncased-tokenizer/tokenizer.json');
t.disablePadding(); t.disableTruncation();
const out = fs.openSync('/tmp/exhaustive.txt', 'w');
let buf = [];
for (let cp = 0; cp <= 0x10FFFF; cp++) {
  if (cp >= 0xD800 && cp <= 0xDFFF) continue;
  const c = String.fromCodePoint(cp);
  const texts = [`a${c}b`, `${c}\u0301A${c}`];
  const enc = await t.encodeBatch(texts);
  buf.push(cp.toString(16) + '\t' + enc.map(e => e.getIds().join(' ')).join('\t'));
  if (buf.length >= 10000) { fs.writeSync(out, buf.join('\n') + '\n'); buf = []; }
}
fs.writeSync(out, buf.join('\n') + '\n');
