// typedIn: Korean-aware "contains" for the console's lists searched as
// the agent types (the quick switcher, the note's @mentions), matching as
// the server's canned search does (chat.SearchCanned).

// Hangul initial consonants, for searching "ㅎㄱㄷ" to find 홍길동.
const initials = 'ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ';
// A final consonant (its index among the 28 finals) as the initial it
// becomes when a vowel follows; a compound final splits into the single
// final it leaves and the initial it gives away.
const finalAsInitial = { 1: 'ㄱ', 2: 'ㄲ', 4: 'ㄴ', 7: 'ㄷ', 8: 'ㄹ', 16: 'ㅁ', 17: 'ㅂ', 19: 'ㅅ', 20: 'ㅆ', 21: 'ㅇ', 22: 'ㅈ', 23: 'ㅊ', 24: 'ㅋ', 25: 'ㅌ', 26: 'ㅍ', 27: 'ㅎ' };
const compoundFinals = { 3: [1, 'ㅅ'], 5: [4, 'ㅈ'], 6: [4, 'ㅎ'], 9: [8, 'ㄱ'], 10: [8, 'ㅁ'], 11: [8, 'ㅂ'], 12: [8, 'ㅅ'], 13: [8, 'ㅌ'], 14: [8, 'ㅍ'], 15: [8, 'ㅎ'], 18: [17, 'ㅅ'] };

const syllable = (ch) => ch >= '가' && ch <= '힣';
const initialOf = (ch) => initials[Math.floor((ch.codePointAt(0) - 0xac00) / 588)];
const finalOf = (ch) => (ch.codePointAt(0) - 0xac00) % 28;
const withFinal = (ch, f) => String.fromCodePoint(ch.codePointAt(0) - finalOf(ch) + f);

// sameOrInitial: t is q, or a syllable starting with the lone initial q.
const sameOrInitial = (t, q) => t === q || (syllable(t) && initialOf(t) === q);

// mayBecome reports whether the text at `at` begins with what q, the
// query's last character, is or may become as the agent goes on typing
// through the input method: 기 on the way to 길, 달 on the way to 닭, 길
// on the way to 기동 (its ㄹ the next syllable's initial), 밠 on the way
// to 발송.
function mayBecome(text, at, q) {
  const t = text[at];
  if (sameOrInitial(t, q)) return true;
  if (!syllable(q) || !syllable(t)) return false;
  const f = finalOf(q);
  if (f === 0) return withFinal(t, 0) === q;
  // 달, on the way to 닭: a single final may take a second consonant.
  if (compoundFinals[finalOf(t)]?.[0] === f && withFinal(t, 0) === withFinal(q, 0)) return true;
  const next = text[at + 1];
  if (!next || !syllable(next)) return false;
  if (t === withFinal(q, 0) && finalAsInitial[f]) return initialOf(next) === finalAsInitial[f];
  const pair = compoundFinals[f];
  return Boolean(pair) && t === withFinal(q, pair[0]) && initialOf(next) === pair[1];
}

// typedIn reports whether query, as an input method has it so far, occurs
// in text: a lone initial matches any syllable starting with it (ㅎㄱㄷ,
// 홍ㄱ), and the last syllable may still be in the making (홍기, 홍길ㄷ and
// 홍길도 all find 홍길동), as the server's canned search (chat.SearchCanned).
export function typedIn(text, query) {
  const t = [...text];
  const q = [...query];
  if (!q.length) return true;
  const head = q.slice(0, -1);
  const last = q.at(-1);
  for (let i = 0; i + head.length < t.length; i++) {
    if (head.every((r, j) => sameOrInitial(t[i + j], r)) && mayBecome(t, i + head.length, last)) return true;
  }
  return false;
}
