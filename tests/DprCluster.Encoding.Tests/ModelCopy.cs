namespace DprCluster.Encoders.Tests;

/// <summary>A temporary copy of a test model directory, optionally with a dprcluster.json or without some files.</summary>
internal sealed class ModelCopy : IDisposable
{
    private ModelCopy(string path) => Path = path;

    public string Path { get; }

    public static ModelCopy Of(string source, string? settings, bool modelInSubfolder = false, string? omit = null, string? alsoOmit = null)
    {
        string target = Directory.CreateTempSubdirectory("dprcluster-model-").FullName;
        foreach (string file in Directory.GetFiles(source))
        {
            string name = System.IO.Path.GetFileName(file);
            if (name == omit || name == alsoOmit || name == "dprcluster.json")
            {
                continue;
            }
            string destination = modelInSubfolder && name == "model.onnx"
                ? System.IO.Path.Combine(Directory.CreateDirectory(System.IO.Path.Combine(target, "onnx")).FullName, name)
                : System.IO.Path.Combine(target, name);
            File.Copy(file, destination);
        }
        if (settings is not null)
        {
            File.WriteAllText(System.IO.Path.Combine(target, "dprcluster.json"), settings);
        }
        return new ModelCopy(target);
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
