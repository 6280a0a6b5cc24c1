using System.Buffers.Binary;
using System.Text;
using DprCluster.Index.Storage;

namespace DprCluster.Index.Tests;

public sealed class VectorRowReaderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("dprcluster-rows-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static readonly float[] Values = [1, 2, 3, -4, 5.5f, 6];

    [Fact]
    public void Fvecs_rows_stream_in_order_and_end()
    {
        string path = Path.Combine(_directory, "a.fvecs");
        using (FileStream file = File.Create(path))
        {
            VectorFiles.Write<float>(file, 3, Values);
        }
        AssertStreamsTheTwoRows(path);
    }

    [Fact]
    public void Npy_float32_matrices_stream_in_order_and_end()
    {
        string path = Path.Combine(_directory, "a.npy");
        WriteNpy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Values);
        AssertStreamsTheTwoRows(path);
    }

    [Fact]
    public void Files_it_cannot_read_as_float32_rows_are_refused_with_the_reason()
    {
        string doubles = Path.Combine(_directory, "d.npy");
        WriteNpy(doubles, "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 3), }", Values);
        Assert.Contains("float32", Assert.Throws<InvalidDataException>(() => VectorRowReader.Open(doubles)).Message);

        string fortran = Path.Combine(_directory, "f.npy");
        WriteNpy(fortran, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", Values);
        Assert.Throws<InvalidDataException>(() => VectorRowReader.Open(fortran));

        string truncated = Path.Combine(_directory, "t.npy");
        WriteNpy(truncated, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }", Values);
        using (VectorRowReader reader = VectorRowReader.Open(truncated))
        {
            reader.Next();
            reader.Next();
            Assert.Contains("ends inside row 2", Assert.Throws<InvalidDataException>(() => reader.Next()).Message);
        }

        string text = Path.Combine(_directory, "v.csv");
        File.WriteAllText(text, "1,2,3");
        Assert.Throws<InvalidDataException>(() => VectorRowReader.Open(text));
    }

    private static void AssertStreamsTheTwoRows(string path)
    {
        using VectorRowReader reader = VectorRowReader.Open(path);
        Assert.Equal((3, 2L), (reader.Dimensions, reader.Rows));
        Assert.Equal(Values[..3], reader.Next());
        Assert.Equal(Values[3..], reader.Next());
        Assert.Null(reader.Next());
    }

    private static void WriteNpy(string path, string dictionary, float[] values)
    {
        string header = dictionary + new string(' ', 64 - ((10 + dictionary.Length + 1) % 64)) + "\n";
        using FileStream file = File.Create(path);
        file.Write([0x93, .. "NUMPY"u8, 1, 0]);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)header.Length);
        file.Write(length);
        file.Write(Encoding.Latin1.GetBytes(header));
        Span<byte> value = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(value, v);
            file.Write(value);
        }
    }
}
