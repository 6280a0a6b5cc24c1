using DprCluster.Text.Corpora;

namespace DprCluster.Training.Data;

/// <summary>
/// Questions with judged passages of one corpus, split into the questions trained on and those held out for
/// validation. Passages are referred to by their index in <see cref="Corpus"/>, questions by their index in
/// <see cref="Questions"/>.
/// </summary>
public sealed class TrainingSet
{
    private readonly HashSet<int>[] _positiveSets;

    /// <summary>Creates the set; <paramref name="judgments"/>[q] maps passage ids to grades (grade &gt; 0 is a positive).</summary>
    public TrainingSet(IReadOnlyList<CorpusDocument> corpus, IReadOnlyList<string> questions, IReadOnlyList<IReadOnlyDictionary<string, int>> judgments,
        IReadOnlyList<int> trainQuestions, IReadOnlyList<int> validationQuestions)
    {
        if (questions.Count != judgments.Count)
        {
            throw new ArgumentException("Every question needs its judgments.");
        }
        Corpus = corpus;
        Questions = questions;
        Judgments = judgments;
        TrainQuestions = trainQuestions;
        ValidationQuestions = validationQuestions;
        var index = new Dictionary<string, int>(corpus.Count, StringComparer.Ordinal);
        for (int i = 0; i < corpus.Count; i++)
        {
            if (!index.TryAdd(corpus[i].Id, i))
            {
                throw new ArgumentException($"The corpus holds passage id '{corpus[i].Id}' twice.");
            }
        }
        PassageIndex = index;
        var positives = new int[questions.Count][];
        _positiveSets = new HashSet<int>[questions.Count];
        for (int q = 0; q < questions.Count; q++)
        {
            var list = new List<int>();
            foreach ((string id, int grade) in judgments[q])
            {
                if (grade > 0)
                {
                    list.Add(index.TryGetValue(id, out int passage)
                        ? passage
                        : throw new ArgumentException($"Question {q} is judged against passage '{id}', which is not in the corpus."));
                }
            }
            list.Sort();
            positives[q] = [.. list];
            _positiveSets[q] = [.. list];
        }
        Positives = positives;
        var examples = new List<(int, int)>();
        foreach (int q in trainQuestions)
        {
            foreach (int p in positives[q])
            {
                examples.Add((q, p));
            }
        }
        if (examples.Count == 0)
        {
            throw new ArgumentException("No training question has a positive passage.");
        }
        Examples = examples;
    }

    /// <summary>The passages.</summary>
    public IReadOnlyList<CorpusDocument> Corpus { get; }

    /// <summary>Passage id → index in <see cref="Corpus"/>.</summary>
    public IReadOnlyDictionary<string, int> PassageIndex { get; }

    /// <summary>Question texts, training and validation alike.</summary>
    public IReadOnlyList<string> Questions { get; }

    /// <summary>Each question's judgments: passage id → grade.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, int>> Judgments { get; }

    /// <summary>Each question's positive passages (grade &gt; 0), sorted.</summary>
    public IReadOnlyList<int[]> Positives { get; }

    /// <summary>The questions trained on.</summary>
    public IReadOnlyList<int> TrainQuestions { get; }

    /// <summary>The questions validation scores.</summary>
    public IReadOnlyList<int> ValidationQuestions { get; }

    /// <summary>Training examples: one (question, positive passage) pair per positive of each training question.</summary>
    public IReadOnlyList<(int Question, int Passage)> Examples { get; }

    /// <summary>True when <paramref name="passage"/> is a positive of <paramref name="question"/>.</summary>
    public bool IsPositive(int question, int passage) => _positiveSets[question].Contains(passage);
}
