namespace DprCluster.Text.Analysis;

/// <summary>
/// The Porter (1980) suffix-stripping stemmer in the form of Martin Porter's reference implementation, which Lucene's
/// <c>PorterStemFilter</c> uses: it also maps <c>-bli</c> to <c>-ble</c> and <c>-logi</c> to <c>-log</c>, and leaves
/// words of one or two characters alone. Works in place on lower-case text; any character other than a, e, i, o, u
/// (and y after a consonant) counts as a consonant.
/// </summary>
public static class PorterStemmer
{
    /// <summary>Stems <paramref name="word"/> in place and returns the stem's length (never longer than the word).</summary>
    public static int Stem(Span<char> word)
    {
        if (word.Length <= 2)
        {
            return word.Length;
        }
        var stem = new Word(word);
        stem.Step1ab();
        stem.Step1c();
        stem.Step2();
        stem.Step3();
        stem.Step4();
        stem.Step5();
        return stem.Length;
    }

    /// <summary>Stems a string; convenient for tests and cold paths.</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        char[] buffer = word.ToCharArray();
        return new string(buffer, 0, Stem(buffer));
    }

    // The stemmer's working state: the word is chars[0..End], and Stop marks the end of the stem tested by the
    // measure once a suffix has matched (the paper's "stem" before the suffix).
    private ref struct Word
    {
        private readonly Span<char> _chars;
        private int _end;
        private int _stop;

        public Word(Span<char> chars)
        {
            _chars = chars;
            _end = chars.Length - 1;
            _stop = 0;
        }

        public readonly int Length => _end + 1;

        private readonly bool IsConsonant(int i)
        {
            switch (_chars[i])
            {
                case 'a' or 'e' or 'i' or 'o' or 'u':
                    return false;
                case 'y':
                    return i == 0 || !IsConsonant(i - 1);
                default:
                    return true;
            }
        }

        // m, the number of vowel-consonant sequences in chars[0.._stop]: [C](VC)^m[V].
        private readonly int Measure()
        {
            int count = 0;
            int i = 0;
            while (i <= _stop && IsConsonant(i))
            {
                i++;
            }
            while (i <= _stop)
            {
                while (i <= _stop && !IsConsonant(i))
                {
                    i++;
                }
                if (i > _stop)
                {
                    break;
                }
                count++;
                while (i <= _stop && IsConsonant(i))
                {
                    i++;
                }
            }
            return count;
        }

        private readonly bool StemHasVowel()
        {
            for (int i = 0; i <= _stop; i++)
            {
                if (!IsConsonant(i))
                {
                    return true;
                }
            }
            return false;
        }

        private readonly bool EndsWithDoubleConsonant(int i) =>
            i >= 1 && _chars[i] == _chars[i - 1] && IsConsonant(i);

        // consonant-vowel-consonant ending at i, where the last consonant is not w, x or y (hop, but not snow).
        private readonly bool IsCvc(int i) =>
            i >= 2 && IsConsonant(i) && !IsConsonant(i - 1) && IsConsonant(i - 2)
                && _chars[i] is not ('w' or 'x' or 'y');

        // True when the word ends with the suffix; then _stop marks the last character before it.
        private bool EndsWith(string suffix)
        {
            int offset = _end - suffix.Length + 1;
            if (offset < 0 || !_chars.Slice(offset, suffix.Length).SequenceEqual(suffix))
            {
                return false;
            }
            _stop = offset - 1;
            return true;
        }

        private void ReplaceSuffix(string replacement)
        {
            replacement.AsSpan().CopyTo(_chars[(_stop + 1)..]);
            _end = _stop + replacement.Length;
        }

        private void ReplaceIfMeasured(string replacement)
        {
            if (Measure() > 0)
            {
                ReplaceSuffix(replacement);
            }
        }

        // Plurals, -eed, -ed and -ing (the paper's steps 1a and 1b).
        public void Step1ab()
        {
            if (_chars[_end] == 's')
            {
                if (EndsWith("sses"))
                {
                    _end -= 2;
                }
                else if (EndsWith("ies"))
                {
                    ReplaceSuffix("i");
                }
                else if (_chars[_end - 1] != 's')
                {
                    _end--;
                }
            }
            if (EndsWith("eed"))
            {
                if (Measure() > 0)
                {
                    _end--;
                }
                return;
            }
            if (!((EndsWith("ed") || EndsWith("ing")) && StemHasVowel()))
            {
                return;
            }
            _end = _stop;
            if (EndsWith("at"))
            {
                ReplaceSuffix("ate");
            }
            else if (EndsWith("bl"))
            {
                ReplaceSuffix("ble");
            }
            else if (EndsWith("iz"))
            {
                ReplaceSuffix("ize");
            }
            else if (EndsWithDoubleConsonant(_end))
            {
                if (_chars[_end] is not ('l' or 's' or 'z'))
                {
                    _end--;
                }
            }
            else
            {
                _stop = _end;
                if (Measure() == 1 && IsCvc(_end))
                {
                    _end++;
                    _chars[_end] = 'e';
                }
            }
        }

        // Terminal y becomes i when the stem has a vowel (step 1c).
        public void Step1c()
        {
            if (EndsWith("y") && StemHasVowel())
            {
                _chars[_end] = 'i';
            }
        }

        // Double suffixes to single ones (step 2); keyed on the penultimate letter as in the reference code.
        public void Step2()
        {
            if (_end == 0)
            {
                return;
            }
            switch (_chars[_end - 1])
            {
                case 'a':
                    _ = TryReplace("ational", "ate") || TryReplace("tional", "tion");
                    break;
                case 'c':
                    _ = TryReplace("enci", "ence") || TryReplace("anci", "ance");
                    break;
                case 'e':
                    _ = TryReplace("izer", "ize");
                    break;
                case 'l':
                    _ = TryReplace("bli", "ble") || TryReplace("alli", "al") || TryReplace("entli", "ent")
                        || TryReplace("eli", "e") || TryReplace("ousli", "ous");
                    break;
                case 'o':
                    _ = TryReplace("ization", "ize") || TryReplace("ation", "ate") || TryReplace("ator", "ate");
                    break;
                case 's':
                    _ = TryReplace("alism", "al") || TryReplace("iveness", "ive") || TryReplace("fulness", "ful")
                        || TryReplace("ousness", "ous");
                    break;
                case 't':
                    _ = TryReplace("aliti", "al") || TryReplace("iviti", "ive") || TryReplace("biliti", "ble");
                    break;
                case 'g':
                    _ = TryReplace("logi", "log");
                    break;
            }
        }

        // -ic-, -full, -ness and friends (step 3).
        public void Step3()
        {
            switch (_chars[_end])
            {
                case 'e':
                    _ = TryReplace("icate", "ic") || TryReplace("ative", "") || TryReplace("alize", "al");
                    break;
                case 'i':
                    _ = TryReplace("iciti", "ic");
                    break;
                case 'l':
                    _ = TryReplace("ical", "ic") || TryReplace("ful", "");
                    break;
                case 's':
                    _ = TryReplace("ness", "");
                    break;
            }
        }

        // Once a suffix matches, the search stops whether or not the measure allows the replacement.
        private bool TryReplace(string suffix, string replacement)
        {
            if (!EndsWith(suffix))
            {
                return false;
            }
            ReplaceIfMeasured(replacement);
            return true;
        }

        // -ant, -ence, -ion and the rest, removed when m > 1 (step 4).
        public void Step4()
        {
            if (_end == 0)
            {
                return;
            }
            bool matched = _chars[_end - 1] switch
            {
                'a' => EndsWith("al"),
                'c' => EndsWith("ance") || EndsWith("ence"),
                'e' => EndsWith("er"),
                'i' => EndsWith("ic"),
                'l' => EndsWith("able") || EndsWith("ible"),
                'n' => EndsWith("ant") || EndsWith("ement") || EndsWith("ment") || EndsWith("ent"),
                'o' => (EndsWith("ion") && _stop >= 0 && _chars[_stop] is 's' or 't') || EndsWith("ou"),
                's' => EndsWith("ism"),
                't' => EndsWith("ate") || EndsWith("iti"),
                'u' => EndsWith("ous"),
                'v' => EndsWith("ive"),
                'z' => EndsWith("ize"),
                _ => false,
            };
            if (matched && Measure() > 1)
            {
                _end = _stop;
            }
        }

        // A final -e goes when m > 1, or m = 1 and the stem is not cvc; -ll becomes -l when m > 1 (step 5).
        public void Step5()
        {
            _stop = _end;
            if (_chars[_end] == 'e')
            {
                int m = Measure();
                if (m > 1 || (m == 1 && !IsCvc(_end - 1)))
                {
                    _end--;
                }
            }
            if (_chars[_end] == 'l' && EndsWithDoubleConsonant(_end) && Measure() > 1)
            {
                _end--;
            }
        }
    }
}
