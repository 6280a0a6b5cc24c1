// A BERT WordPiece tokenizer from Hugging Face tokenizers: the model directory's tokenizer.json when it has one, else
// one built from its vocab.txt as BertTokenizerFast does (BERT normaliser with lower-casing, BERT pre-tokeniser,
// [CLS] … [SEP] … [SEP] post-processing), truncated longest-first at maxLength.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as tk from '@anush008/tokenizers';

export async function bertTokenizer(modelDir, maxLength) {
  let tokenizer;
  if (existsSync(join(modelDir, 'tokenizer.json'))) {
    tokenizer = tk.Tokenizer.fromFile(join(modelDir, 'tokenizer.json'));
  } else {
    tokenizer = new tk.Tokenizer(await tk.WordPiece.fromFile(join(modelDir, 'vocab.txt'), { unkToken: '[UNK]' }));
    tokenizer.setNormalizer(tk.bertNormalizer({ cleanText: true, handleChineseChars: true, lowercase: true }));
    tokenizer.setPreTokenizer(tk.bertPreTokenizer());
    tokenizer.setPostProcessor(tk.bertProcessing(['[SEP]', tokenizer.tokenToId('[SEP]')], ['[CLS]', tokenizer.tokenToId('[CLS]')]));
  }
  tokenizer.setTruncation(maxLength, { strategy: 'LongestFirst' });
  return tokenizer;
}
