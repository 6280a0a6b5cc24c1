namespace DprCluster.Encoders.Tests;

public class EncoderInputTests
{
    [Fact]
    public void PassageLinesSplitAtTheFirstTab()
    {
        var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("Paris\tThe capital\tof France\r\nno title here\n\tleading tab\n"));
        PassageText[] passages = EncoderInput.ReadPassages(input).ToArray();
        Assert.Equal(new PassageText("Paris", "The capital\tof France"), passages[0]);
        Assert.Equal(new PassageText("", "no title here"), passages[1]);
        Assert.Equal(new PassageText("", "leading tab"), passages[2]);
    }

    [Fact]
    public void QueriesKeepEmptyLines()
    {
        var input = new MemoryStream(System.Text.Encoding.UTF8.GetBytes("first\n\nthird"));
        Assert.Equal(["first", "", "third"], EncoderInput.ReadQueries(input));
    }

    [Fact]
    public void InvalidUtf8IsAnErrorNamingTheLine()
    {
        byte[] bytes = [.. "ok\n"u8, .. "still ok\n"u8, 0x66, 0xC3, 0x28, 0x0A];
        var error = Assert.Throws<InvalidDataException>(() => EncoderInput.ReadQueries(new MemoryStream(bytes)).ToArray());
        Assert.Contains("line 3 is not valid UTF-8", error.Message);
    }
}
