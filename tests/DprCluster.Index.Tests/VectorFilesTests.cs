using DprCluster.Index.Storage;
using DprCluster.Testing;

namespace DprCluster.Index.Tests;

public class VectorFilesTests
{
    [Fact]
    public void Fvecs_and_ivecs_round_trip()
    {
        string directory = Directory.CreateTempSubdirectory("dprcluster-vecs-").FullName;
        try
        {
            float[] floats = [1, 2, 3, 4, 5, 6];
            string fvecs = Path.Combine(directory, "a.fvecs");
            using (FileStream file = File.Create(fvecs))
            {
                VectorFiles.Write<float>(file, 3, floats);
            }
            VectorFile<float> read = VectorFiles.ReadFloats(fvecs);
            Assert.Equal((2, 3), (read.Rows, read.Dimensions));
            Assert.Equal(floats, read.Data);
            Assert.Equal(new float[] { 4, 5, 6 }, read.Row(1).ToArray());
            Assert.Single(VectorFiles.ReadFloats(fvecs, maxRows: 1).Data.Chunk(3));

            string ivecs = Path.Combine(directory, "a.ivecs");
            using (FileStream file = File.Create(ivecs))
            {
                VectorFiles.Write<int>(file, 2, [7, 8, 9, 10]);
            }
            Assert.Equal(new[] { 7, 8, 9, 10 }, VectorFiles.ReadInts(ivecs).Data);

            File.WriteAllBytes(Path.Combine(directory, "bad.fvecs"), [3, 0, 0, 0, 1, 2]);
            Assert.Throws<InvalidDataException>(() => VectorFiles.ReadFloats(Path.Combine(directory, "bad.fvecs")));
            Assert.Throws<InvalidDataException>(() => VectorFiles.ReadFloats(Path.Combine(directory, "a.txt")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Reads_the_fashion_mnist_idx_files()
    {
        string path = Path.Combine(RepositoryPaths.SharedData, "fashion-mnist", "t10k-images-idx3-ubyte.gz");
        VectorFile<float> images = VectorFiles.ReadFloats(path, maxRows: 50);
        Assert.Equal((50, 784), (images.Rows, images.Dimensions));
        Assert.All(images.Data, x => Assert.InRange(x, 0f, 255f));
        Assert.Contains(images.Data, x => x > 0);

        VectorFile<int> truth = VectorFiles.ReadInts(Path.Combine(RepositoryPaths.SharedData, "fashion-mnist", "subset10k_q1k_groundtruth.ivecs"));
        Assert.Equal((1000, 100), (truth.Rows, truth.Dimensions));
        Assert.All(truth.Data, id => Assert.InRange(id, 0, 9999));
    }
}
