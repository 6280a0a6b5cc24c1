using System.Buffers.Binary;
using System.Numerics;

namespace DprCluster.Core.Storage;

/// <summary>
/// CRC-32C (Castagnoli), the checksum of every snapshot and log record. <see cref="BitOperations.Crc32C(uint, ulong)"/>
/// uses the SSE4.2 / ARMv8 instruction when present, so checksumming runs at memory speed.
/// </summary>
public static class Crc32C
{
    /// <summary>Checksum of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Finish(Append(Seed, data));

    /// <summary>Starting state for incremental checksums (<see cref="Append"/>, then <see cref="Finish"/>).</summary>
    public const uint Seed = 0xFFFFFFFFu;

    /// <summary>Folds <paramref name="data"/> into a running state.</summary>
    public static uint Append(uint state, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            state = BitOperations.Crc32C(state, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }
        foreach (byte b in data)
        {
            state = BitOperations.Crc32C(state, b);
        }
        return state;
    }

    /// <summary>Turns a running state into the checksum value.</summary>
    public static uint Finish(uint state) => ~state;
}
