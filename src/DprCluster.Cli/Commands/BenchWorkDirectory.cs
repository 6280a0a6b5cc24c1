using System.Text.Json;

namespace DprCluster.Cli.Commands;

/// <summary>
/// The work directory of a benchmark that builds clusters on disk: the one given, or a temporary one removed after.
/// File errors end the run with exit code 1 and their message, not a stack trace.
/// </summary>
internal static class BenchWorkDirectory
{
    /// <summary>Runs <paramref name="run"/> over the directory; returns the process exit code.</summary>
    public static async Task<int> RunAsync(string? given, string prefix, Func<string, Task> run)
    {
        bool temporary = given is null;
        string directory = given ?? Directory.CreateTempSubdirectory(prefix).FullName;
        try
        {
            await run(directory).ConfigureAwait(false);
            return 0;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
        finally
        {
            if (temporary)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Writes <paramref name="report"/> as snake_case JSON when a path was given, and says so.</summary>
    public static async Task WriteJsonAsync<T>(string? path, T report, CancellationToken cancellationToken)
    {
        if (path is not null)
        {
            await File.WriteAllTextAsync(path, JsonSerializer.Serialize(report, ScaleJson.Options), cancellationToken).ConfigureAwait(false);
            Console.WriteLine($"wrote {path}");
        }
    }
}
