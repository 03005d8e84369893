using ThunderDb.Core.Storage;

namespace ThunderDb.Core.Tests.Storage;

public class Crc32CTests
{
    [Test]
    public async Task Matches_the_standard_check_value()
    {
        // The CRC-32C catalogue check value for "123456789".
        await Assert.That(Crc32C.Compute("123456789"u8)).IsEqualTo(0xE3069283u);
    }

    [Test]
    public async Task Chained_pieces_equal_the_whole_for_every_split()
    {
        var data = new byte[37];
        new Random(5).NextBytes(data);
        var whole = Crc32C.Compute(data);
        for (var cut = 0; cut <= data.Length; cut++)
        {
            var chained = ~Crc32C.Append(Crc32C.Append(~0u, data.AsSpan(0, cut)), data.AsSpan(cut));
            await Assert.That(chained).IsEqualTo(whole);
        }
    }
}
