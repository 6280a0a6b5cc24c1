using DprCluster.Core.Hashing;

namespace DprCluster.Grains.Tests;

public class PassageContentHashTests
{
    [Fact]
    public void Moving_text_between_fields_changes_the_fingerprint()
    {
        ulong plain = PassageContentHash.Of("t", "x", new Dictionary<string, string> { ["k"] = "v" });
        Assert.NotEqual(plain, PassageContentHash.Of("t", "x\u001ek\u001fv", null));
        Assert.NotEqual(plain, PassageContentHash.Of("tx", "", new Dictionary<string, string> { ["k"] = "v" }));
        Assert.NotEqual(plain, PassageContentHash.Of("t", "x", new Dictionary<string, string> { ["kv"] = "" }));
        Assert.Equal(plain, PassageContentHash.Of("t", "x", new Dictionary<string, string> { ["k"] = "v" }));
    }

    [Fact]
    public void Metadata_order_does_not_matter()
    {
        var ab = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" };
        var ba = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1" };
        Assert.Equal(PassageContentHash.Of("t", "x", ab), PassageContentHash.Of("t", "x", ba));
    }
}
