using System.Security.Cryptography;
using System.Text;
using DprCluster.Cli.Cluster;
using DprCluster.Encoders;
using DprCluster.Encoders.Batching;
using DprCluster.Encoders.Pretrained;
using DprCluster.Encoders.Trained;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;
using DprCluster.Index.Storage;
using DprCluster.Text.Corpora;

namespace DprCluster.Cli.Evaluation;

/// <summary>
/// A corpus's passage vectors under one encoder, encoded once with a progress bar and cached as an .fvecs file named
/// by the encoder's identity and a SHA-256 of the corpus (ids, titles, texts), so a second evaluation reads them back.
/// </summary>
internal static class CorpusEmbeddings
{
    private const int Batch = 64;

    /// <summary>Row i is the vector of <paramref name="corpus"/>[i].</summary>
    public static float[] Load(IReadOnlyList<CorpusDocument> corpus, EncoderService encoder, string encoderIdentity)
    {
        string path = Path.Combine(DprCacheDirectory.Path, "embeddings", $"{Safe(encoderIdentity)}-{CorpusHash(corpus, encoderIdentity)}.fvecs");
        if (File.Exists(path))
        {
            VectorFile<float> cached = VectorFiles.ReadFloats(path);
            if (cached.Rows == corpus.Count && cached.Dimensions == encoder.Dimension)
            {
                Console.Error.WriteLine($"passage vectors read from {path}");
                return cached.Data;
            }
        }
        var vectors = new float[corpus.Count * encoder.Dimension];
        // Encoded shortest first, so each batch holds passages of nearly one length and little of a run is padding.
        int[] order = new int[corpus.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) => (corpus[a].Title.Length + corpus[a].Text.Length).CompareTo(corpus[b].Title.Length + corpus[b].Text.Length));
        var progress = new ProgressLine("passages encoded", corpus.Count);
        for (int start = 0; start < corpus.Count; start += Batch)
        {
            int count = Math.Min(Batch, corpus.Count - start);
            var texts = new PassageText[count];
            for (int i = 0; i < count; i++)
            {
                CorpusDocument document = corpus[order[start + i]];
                texts[i] = new PassageText(document.Title, document.Text);
            }
            float[][] encoded = encoder.EncodePassagesAsync(texts).GetAwaiter().GetResult();
            for (int i = 0; i < count; i++)
            {
                encoded[i].CopyTo(vectors, order[start + i] * encoder.Dimension);
            }
            progress.Report(start + count);
        }
        progress.Finish(corpus.Count);
        if (encoder.PaddingRatio is double padding)
        {
            Console.Error.WriteLine($"padded / real tokens: {padding:F3}");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        using (FileStream stream = File.Create(temporary))
        {
            VectorFiles.Write<float>(stream, encoder.Dimension, vectors);
        }
        File.Move(temporary, path, overwrite: true);
        return vectors;
    }

    /// <summary>
    /// What an encoder's passage vectors depend on: a pretrained model's name and version, the static vectors, a model
    /// directory's model file, or a trained directory's files (an adapter that leaves passages alone has its base's
    /// passage vectors, so it shares their cache).
    /// </summary>
    public static string IdentityOf(string encoderModel, EncoderOptions resolved)
    {
        if (PretrainedModels.Find(encoderModel) is { } pretrained)
        {
            return $"{pretrained.Name}-{pretrained.PackageVersion}";
        }
        if (resolved.Kind == "static")
        {
            return "static";
        }
        string directory = resolved.QuestionModel!;
        if (resolved.Kind == "trained")
        {
            TrainedModelManifest manifest = TrainedModelManifest.Read(directory);
            if (manifest.Trained == TrainedKind.Adapter && manifest.PassageMap is null)
            {
                return IdentityOf(manifest.Base, EncoderFactory.Resolve(new EncoderOptions { Model = manifest.Base }, extract: false));
            }
            var files = new StringBuilder();
            foreach (string file in Directory.GetFiles(directory).Order(StringComparer.Ordinal))
            {
                var info = new FileInfo(file);
                files.Append($"{info.Name}:{info.Length}:{info.LastWriteTimeUtc.Ticks};");
            }
            return $"trained-{Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)))}-" +
                Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(directory) + files)))[..16];
        }
        var model = new FileInfo(Path.Combine(directory, "model.onnx"));
        return $"{Path.GetFullPath(directory)}-{(model.Exists ? model.Length : 0)}-{(model.Exists ? model.LastWriteTimeUtc.Ticks : 0)}";
    }

    private static string CorpusHash(IReadOnlyList<CorpusDocument> corpus, string encoderIdentity)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(encoderIdentity + "\n"));
        foreach (CorpusDocument document in corpus)
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{document.Id}\0{document.Title}\0{document.Text}\0"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..16];
    }

    private static string Safe(string identity)
    {
        var name = new StringBuilder(identity.Length);
        foreach (char c in identity)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' ? c : '_');
        }
        return name.Length > 80 ? name.ToString(name.Length - 80, 80) : name.ToString();
    }
}
