namespace DprCluster.Encoders;

/// <summary>
/// The machine-wide cache for what the encoders obtain from package registries (the ONNX Runtime library, the word
/// vectors and their converted form): DPRCLUSTER_CACHE, else XDG_CACHE_HOME/dprcluster, else ~/.cache/dprcluster.
/// build/NativeDependencies.targets applies the same rule.
/// </summary>
public static class DprCacheDirectory
{
    /// <summary>Environment variable that overrides the cache folder.</summary>
    public const string EnvironmentVariable = "DPRCLUSTER_CACHE";

    /// <summary>The cache folder (not created).</summary>
    public static string Path
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
            if (!string.IsNullOrEmpty(configured))
            {
                return configured;
            }
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (!string.IsNullOrEmpty(xdg))
            {
                return System.IO.Path.Combine(xdg, "dprcluster");
            }
            return System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dprcluster");
        }
    }
}
