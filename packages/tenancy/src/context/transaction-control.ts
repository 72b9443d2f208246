/**
 * Finds statements that would end or restart the tenant transaction from inside it (COMMIT, END,
 * ROLLBACK without TO, ABORT, PREPARE TRANSACTION, BEGIN, START TRANSACTION). Session state set
 * before such a statement would be committed by it, before the library's end-of-transaction reset
 * runs; behind PgBouncer in transaction mode the server connection then goes straight to another
 * client. So they are refused before they are sent.
 *
 * Only the leading keywords matter: the extended protocol runs one statement per string, and
 * PostgreSQL's grammar puts a transaction statement's keyword first. Before it the server's lexer
 * allows only whitespace and comments, which are skipped here the same way (nested block
 * comments included).
 */
export function transactionControlIn(text: string): string | null {
  const words = leadingWords(text, 4);
  const [first, second, third] = words;
  switch (first) {
    case 'commit':
    case 'end':
    case 'abort':
    case 'begin':
      return first;
    case 'start':
      return second === 'transaction' ? 'start transaction' : null;
    case 'prepare':
      return second === 'transaction' ? 'prepare transaction' : null;
    case 'rollback': {
      // ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] name only undoes a savepoint.
      const next = second === 'work' || second === 'transaction' ? third : second;
      return next === 'to' ? null : 'rollback';
    }
    default:
      return null;
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);

/** The first `count` keywords or identifiers, lowercased; stops at anything else. */
function leadingWords(text: string, count: number): string[] {
  const words: string[] = [];
  let i = 0;
  while (words.length < count) {
    i = skipBlank(text, i);
    const match = /^[A-Za-z_][A-Za-z0-9_$]*/.exec(text.slice(i, i + 64));
    if (!match) break;
    words.push(match[0].toLowerCase());
    i += match[0].length;
  }
  return words;
}

function skipBlank(text: string, start: number): number {
  let i = start;
  for (;;) {
    if (WHITESPACE.has(text[i] ?? '')) {
      i++;
    } else if (text.startsWith('--', i)) {
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
    } else if (text.startsWith('/*', i)) {
      i = skipBlockComment(text, i);
    } else {
      return i;
    }
  }
}

function skipBlockComment(text: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < text.length) {
    if (text.startsWith('/*', i)) {
      depth++;
      i += 2;
    } else if (text.startsWith('*/', i)) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return i;
}
