using DprCluster.Index.Vectors;

namespace DprCluster.Index.Tests;

public class VectorKernelsTests
{
    public static TheoryData<int> Lengths => new() { 0, 1, 3, 7, 8, 15, 16, 17, 31, 63, 64, 65, 100, 127, 128, 129, 384, 768, 784, 1000 };

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Kernels_match_the_scalar_reference(int length)
    {
        var random = new Random(length);
        for (int trial = 0; trial < 20; trial++)
        {
            float[] a = RandomVector(random, length);
            float[] b = RandomVector(random, length);
            double tolerance = 1e-4 * Math.Max(1, length);
            Assert.Equal(ScalarKernels.Dot(a, b), VectorKernels.Dot(a, b), tolerance);
            Assert.Equal(ScalarKernels.SquaredL2(a, b), VectorKernels.SquaredL2(a, b), tolerance);
            Assert.Equal(ScalarKernels.Cosine(a, b), VectorKernels.Cosine(a, b), 1e-4);
        }
    }

    [Fact]
    public void Kernels_reject_vectors_of_different_lengths()
    {
        Assert.Throws<ArgumentException>(() => VectorKernels.Dot(new float[3], new float[4]));
        Assert.Throws<ArgumentException>(() => VectorKernels.SquaredL2(new float[3], new float[4]));
    }

    [Fact]
    public void Normalize_gives_unit_length_and_leaves_zero_alone()
    {
        float[] v = RandomVector(new Random(1), 100);
        VectorKernels.Normalize(v);
        Assert.Equal(1.0, ScalarKernels.Dot(v, v), 1e-5);

        var zero = new float[10];
        VectorKernels.Normalize(zero);
        Assert.All(zero, x => Assert.Equal(0f, x));
        Assert.Equal(0f, VectorKernels.Cosine(zero, zero));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void AllFinite_finds_a_bad_value_at_any_position(float bad)
    {
        for (int length = 1; length < 40; length++)
        {
            for (int position = 0; position < length; position++)
            {
                var v = new float[length];
                v[position] = bad;
                Assert.False(VectorKernels.AllFinite(v));
            }
            Assert.True(VectorKernels.AllFinite(RandomVector(new Random(length), length)));
        }
    }

    [Theory]
    [InlineData("ip", Metric.InnerProduct)]
    [InlineData("COSINE", Metric.Cosine)]
    [InlineData("l2", Metric.L2)]
    public void Metric_names_round_trip(string name, Metric metric)
    {
        Assert.Equal(metric, MetricNames.Parse(name));
        Assert.Equal(metric, MetricNames.Parse(metric.ToShortName()));
    }

    [Fact]
    public void Unknown_metric_name_is_rejected() => Assert.Throws<ArgumentException>(() => MetricNames.Parse("hamming"));

    private static float[] RandomVector(Random random, int length)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = (float)(random.NextDouble() * 4 - 2);
        }
        return v;
    }

    [Fact]
    public void Principal_components_recover_a_plane_hidden_in_more_dimensions()
    {
        // Points spread 10:1 along two orthogonal directions of a 16-d space, plus a constant offset.
        var random = new Random(5);
        var a = new float[16];
        var b = new float[16];
        a[3] = 0.6f; a[7] = 0.8f;
        b[1] = 1f;
        var rows = new List<float[]>();
        var truth = new List<(float, float)>();
        for (int i = 0; i < 50; i++)
        {
            float u = (float)(random.NextDouble() * 20 - 10), v = (float)(random.NextDouble() * 2 - 1);
            var row = new float[16];
            for (int j = 0; j < 16; j++)
            {
                row[j] = 5 + u * a[j] + v * b[j];
            }
            rows.Add(row);
            truth.Add((u, v));
        }
        (float[] coordinates, float[] explained) = PrincipalComponents.Project2D(rows);
        Assert.True(explained[0] > 0.95 && explained[0] + explained[1] > 0.999, $"explained {explained[0]} + {explained[1]}");
        // Pairwise distances in the projection equal those in the plane (axes may flip sign).
        for (int i = 1; i < rows.Count; i++)
        {
            double projected = Math.Sqrt(Square(coordinates[0] - coordinates[2 * i]) + Square(coordinates[1] - coordinates[2 * i + 1]));
            double actual = Math.Sqrt(Square(truth[0].Item1 - truth[i].Item1) + Square(truth[0].Item2 - truth[i].Item2));
            Assert.Equal(actual, projected, 2);
        }
    }

    private static double Square(double x) => x * x;
}
