
namespace DprCluster.Encoders.OnnxRuntime;

/// <summary>
/// Input or output names as NUL-terminated UTF-8 in pinned memory, with a pointer per name, built once per session
/// so that a run passes names without encoding or allocating.
/// </summary>
internal sealed unsafe class Utf8NameTable
{
    private readonly byte[] _bytes;
    private readonly nint[] _pointers;

    public Utf8NameTable(IReadOnlyList<TensorMetadata> tensors)
    {
        int total = 0;
        foreach (TensorMetadata t in tensors)
        {
            total += System.Text.Encoding.UTF8.GetByteCount(t.Name) + 1;
        }
        _bytes = GC.AllocateArray<byte>(total, pinned: true);
        _pointers = GC.AllocateArray<nint>(tensors.Count, pinned: true);
        int offset = 0;
        for (int i = 0; i < tensors.Count; i++)
        {
            _pointers[i] = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref _bytes[offset]);
            offset += System.Text.Encoding.UTF8.GetBytes(tensors[i].Name, _bytes.AsSpan(offset)) + 1;
        }
    }

    /// <summary>Address of name <paramref name="index"/>.</summary>
    public nint this[int index] => _pointers[index];
}
