using System.CommandLine;
using System.Diagnostics;
using DprCluster.Encoders;
using DprCluster.Encoders.OnnxRuntime;
using DprCluster.Encoders.Static;
using DprCluster.Encoders.Transformer;
using DprCluster.Index.Storage;
using DprCluster.Silo.Configuration;
using DprCluster.Silo.Hosting;

namespace DprCluster.Cli.Commands;

/// <summary>
/// <c>dprcluster encode --encoder NAME|DIR --kind query|passage &lt; lines &gt; vectors.fvecs</c>: one vector per stdin
/// line (passages as <c>title&lt;TAB&gt;text</c>), written as .fvecs. Without --encoder it uses the embedded default.
/// </summary>
internal static class EncodeCommand
{
    public static Command Create()
    {
        var modelOption = new Option<string?>("--encoder", "--model")
        {
            Description = "arctic-embed-xs, all-minilm-l6-v2, static, or an ONNX model directory (Hugging Face layout; for DPR, " +
                "the question encoder). Default: the embedded default encoder.",
        };
        var passageModelOption = new Option<string?>("--passage-model")
        {
            Description = "Separate passage (context) encoder directory, as DPR has; default: --model.",
        };
        var kindOption = new Option<string>("--kind")
        {
            Description = "query: one question per line; passage: title<TAB>text per line.",
            Required = true,
        };
        kindOption.AcceptOnlyFromAmong("query", "passage");
        var threadsOption = new Option<int>("--threads") { Description = "ONNX Runtime intra-op threads (0: one per core)." };
        var batchOption = new Option<int>("--batch") { Description = "Texts per encoder call.", DefaultValueFactory = _ => 64 };
        var cudaOption = new Option<bool>("--cuda") { Description = "Run on CUDA (needs the GPU build: -p:DprOnnxRuntime=gpu)." };
        var command = new Command("encode", "Encode stdin lines into vectors (.fvecs on stdout).")
        {
            modelOption, passageModelOption, kindOption, threadsOption, batchOption, cudaOption,
        };
        command.SetAction(parse => Run(parse.GetValue(modelOption), parse.GetValue(passageModelOption),
            parse.GetValue(kindOption) == "passage" ? EncoderKind.Passage : EncoderKind.Query,
            parse.GetValue(threadsOption), parse.GetValue(batchOption), parse.GetValue(cudaOption)));
        return command;
    }

    private static int Run(string? model, string? passageModel, EncoderKind kind, int threads, int batch, bool cuda)
    {
        if (batch < 1 || threads < 0)
        {
            Console.Error.WriteLine("error: --batch must be at least 1 and --threads at least 0.");
            return 2;
        }
        IEncoder encoder;
        try
        {
            EncoderOptions resolved = EncoderFactory.Resolve(new EncoderOptions { Model = model, PassageModel = passageModel });
            encoder = resolved.Kind == "static"
                ? StaticEncoder.LoadDefault()
                : TransformerEncoder.Open(resolved.QuestionModel!, resolved.PassageModel, new TransformerEncoderOptions
                {
                    MaxBatchSize = batch,
                    Session = new OnnxSessionOptions
                    {
                        IntraOpThreads = threads,
                        ExecutionProvider = cuda ? ExecutionProvider.Cuda : ExecutionProvider.Cpu,
                    },
                });
        }
        catch (Exception e) when (e is ModelFormatException or OnnxSessionException or ExecutionProviderUnavailableException
                                       or ClusterConfigurationException or IOException or InvalidDataException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        using (encoder)
        {
            var watch = Stopwatch.StartNew();
            try
            {
                using Stream input = Console.OpenStandardInput();
                using var output = new BufferedStream(Console.OpenStandardOutput(), 1 << 16);
                long count = kind == EncoderKind.Query
                    ? Encode(EncoderInput.ReadQueries(input), batch, encoder.Dimension, output, encoder.EncodeQueries)
                    : Encode(EncoderInput.ReadPassages(input), batch, encoder.Dimension, output, encoder.EncodePassages);
                Console.Error.WriteLine($"encoded {count} {(kind == EncoderKind.Query ? "questions" : "passages")} into " +
                    $"{encoder.Dimension}-d vectors in {watch.Elapsed.TotalSeconds:F2} s");
                return 0;
            }
            catch (InvalidDataException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        }
    }

    private delegate void EncodeBatch<T>(ReadOnlySpan<T> texts, Span<float> destination);

    private static long Encode<T>(IEnumerable<T> texts, int batchSize, int dimension, Stream output, EncodeBatch<T> encode)
    {
        var batch = new T[batchSize];
        var vectors = new float[batchSize * dimension];
        long count = 0;
        int filled = 0;
        foreach (T text in texts)
        {
            batch[filled++] = text;
            if (filled == batchSize)
            {
                Flush(batch, filled, dimension, vectors, output, encode);
                count += filled;
                filled = 0;
            }
        }
        if (filled > 0)
        {
            Flush(batch, filled, dimension, vectors, output, encode);
            count += filled;
        }
        return count;
    }

    private static void Flush<T>(T[] batch, int count, int dimension, float[] vectors, Stream output, EncodeBatch<T> encode)
    {
        Span<float> rows = vectors.AsSpan(0, count * dimension);
        encode(batch.AsSpan(0, count), rows);
        VectorFiles.Write<float>(output, dimension, rows);
    }
}
