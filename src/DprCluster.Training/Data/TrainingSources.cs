using DprCluster.Text.Corpora;
using DprCluster.Text.Metrics;

namespace DprCluster.Training.Data;

/// <summary>
/// Builds a <see cref="TrainingSet"/> from the command's sources. A source is a BEIR folder (corpus.jsonl,
/// queries.jsonl, qrels/&lt;split&gt;.tsv: every judged question with its graded passages) or a JSON-lines pairs file
/// (see <see cref="JsonlReader.ReadPairs"/>); the corpus is a BEIR folder or a JSON-lines passages file. Without a
/// validation source, a seeded random <c>holdout</c> fraction of the training questions is held out instead.
/// </summary>
public static class TrainingSources
{
    /// <summary>Loads pairs, corpus and validation questions.</summary>
    public static TrainingSet Load(string pairs, string split, string? corpus, string? validate, string validateSplit, double holdout, int seed)
    {
        if (holdout is < 0 or >= 1 || double.IsNaN(holdout))
        {
            throw new ArgumentException($"The held-out fraction must be in [0, 1); got {holdout}.");
        }
        if (!Directory.Exists(pairs) && !File.Exists(pairs))
        {
            throw new FileNotFoundException($"No such pairs source: {pairs} (a BEIR folder or a pairs JSON-lines file).", pairs);
        }
        string corpusSource = corpus ?? (Directory.Exists(pairs) ? pairs
            : throw new ArgumentException("A pairs file needs --corpus (a BEIR folder or a passages JSON-lines file)."));
        var documents = new List<CorpusDocument>(ReadCorpus(corpusSource));
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (CorpusDocument document in documents)
        {
            known.Add(document.Id);
        }
        var questions = new List<string>();
        var judgments = new List<IReadOnlyDictionary<string, int>>();
        List<int> train = ReadQuestions(pairs, split, documents, known, questions, judgments);
        List<int> validation;
        if (validate is not null)
        {
            validation = ReadQuestions(validate, validateSplit, documents, known, questions, judgments);
        }
        else
        {
            var random = new Random(seed);
            int[] shuffled = [.. train];
            random.Shuffle(shuffled);
            int held = (int)Math.Round(shuffled.Length * holdout);
            validation = [.. shuffled[..held]];
            var kept = new HashSet<int>(shuffled[held..]);
            train = train.FindAll(kept.Contains);
        }
        return new TrainingSet(documents, questions, judgments, train, validation);
    }

    private static IEnumerable<CorpusDocument> ReadCorpus(string source)
    {
        if (Directory.Exists(source))
        {
            return JsonlReader.ReadDocuments(Path.Combine(source, "corpus.jsonl"));
        }
        return File.Exists(source) ? JsonlReader.ReadDocuments(source) : throw new FileNotFoundException($"No such corpus: {source}", source);
    }

    /// <summary>Appends the source's questions and their judgments; returns their indices.</summary>
    private static List<int> ReadQuestions(string source, string split, List<CorpusDocument> documents, HashSet<string> known,
        List<string> questions, List<IReadOnlyDictionary<string, int>> judgments)
    {
        var added = new List<int>();
        if (Directory.Exists(source))
        {
            Qrels qrels = QrelsReader.Read(Path.Combine(source, "qrels", split + ".tsv"));
            var judged = new HashSet<string>(qrels.QueryIds, StringComparer.Ordinal);
            foreach (CorpusQuery query in JsonlReader.ReadQueries(Path.Combine(source, "queries.jsonl")))
            {
                if (!judged.Remove(query.Id))
                {
                    continue;
                }
                var grades = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach ((string passage, int grade) in qrels.For(query.Id))
                {
                    if (!known.Contains(passage))
                    {
                        throw new CorpusFormatException(source, 0, $"question '{query.Id}' is judged against '{passage}', which the corpus lacks");
                    }
                    grades[passage] = grade;
                }
                added.Add(questions.Count);
                questions.Add(query.Text);
                judgments.Add(grades);
            }
            return added;
        }
        if (!File.Exists(source))
        {
            throw new FileNotFoundException($"No such pairs source: {source}", source);
        }
        var byQuestion = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        foreach (QuestionPassagePair pair in JsonlReader.ReadPairs(source))
        {
            string passage;
            if (pair.Positive is { } inline)
            {
                passage = $"{Path.GetFileName(source)}:{inline.Id}";
                if (known.Add(passage))
                {
                    documents.Add(inline with { Id = passage });
                }
            }
            else
            {
                passage = known.Contains(pair.PositiveId!) ? pair.PositiveId!
                    : throw new CorpusFormatException(source, pair.Line, $"positive_id '{pair.PositiveId}' is not in the corpus");
            }
            if (!byQuestion.TryGetValue(pair.Question, out Dictionary<string, int>? grades))
            {
                grades = new Dictionary<string, int>(StringComparer.Ordinal);
                byQuestion.Add(pair.Question, grades);
                added.Add(questions.Count);
                questions.Add(pair.Question);
                judgments.Add(grades);
            }
            grades[passage] = 1;
        }
        return added;
    }
}
