namespace DprCluster.Encoders.Tests;

internal static class MaxAbsoluteDifference
{
    public const float Tolerance = 1e-4f;

    public static float Of(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        float max = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(expected[i] - actual[i]));
        }
        return max;
    }

    public static void AssertWithinTolerance(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        float diff = Of(expected, actual);
        Assert.True(diff <= Tolerance, $"{what}: max |expected - actual| = {diff:G4} > {Tolerance:G4}");
    }
}
