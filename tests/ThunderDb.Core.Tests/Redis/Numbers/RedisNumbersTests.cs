using System.Text;
using ThunderDb.Core.Redis;

namespace ThunderDb.Core.Tests.Redis.Numbers;

public class RedisNumbersTests
{
    [Test]
    [Arguments("0", true, 0L)]
    [Arguments("-1", true, -1L)]
    [Arguments("9223372036854775807", true, long.MaxValue)]
    [Arguments("-9223372036854775808", true, long.MinValue)]
    [Arguments("9223372036854775808", false, 0L)]
    [Arguments("+1", false, 0L)]
    [Arguments("01", false, 0L)]
    [Arguments("-0", false, 0L)]
    [Arguments(" 1", false, 0L)]
    [Arguments("1.0", false, 0L)]
    [Arguments("", false, 0L)]
    public async Task ParseLong_accepts_what_string2ll_accepts(string text, bool ok, long expected)
    {
        bool parsed = RedisNumbers.ParseLong(Encoding.ASCII.GetBytes(text), out long value);
        await Assert.That(parsed).IsEqualTo(ok);
        if (ok)
        {
            await Assert.That(value).IsEqualTo(expected);
        }
    }

    [Test]
    [Arguments("1.5", true, 1.5)]
    [Arguments("-inf", true, double.NegativeInfinity)]
    [Arguments("+inf", true, double.PositiveInfinity)]
    [Arguments("0x10", true, 16.0)]
    [Arguments("1e3", true, 1000.0)]
    [Arguments(" 1", false, 0.0)]
    [Arguments("nan", false, 0.0)]
    [Arguments("1e400", false, 0.0)]
    [Arguments("abc", false, 0.0)]
    public async Task ParseDouble_is_string2d(string text, bool ok, double expected)
    {
        bool parsed = RedisNumbers.ParseDouble(Encoding.ASCII.GetBytes(text), out double value);
        await Assert.That(parsed).IsEqualTo(ok);
        if (ok)
        {
            await Assert.That(value).IsEqualTo(expected);
        }
    }

    [Test]
    [Arguments(" 2", 2.0)]
    [Arguments("", 0.0)]
    public async Task A_range_bound_allows_leading_spaces_and_nothing(string text, double expected)
    {
        await Assert.That(RedisNumbers.ParseRangeBound(Encoding.ASCII.GetBytes(text), out double value)).IsTrue();
        await Assert.That(value).IsEqualTo(expected);
    }

    [Test]
    [Arguments(0.1, "0.10000000000000001")]
    [Arguments(1.5, "1.5")]
    [Arguments(1e17, "1e+17")]
    [Arguments(0.0001, "0.0001")]
    [Arguments(0.00001, "1.0000000000000001e-05")]
    [Arguments(-0.0, "-0")]
    [Arguments(double.PositiveInfinity, "inf")]
    public async Task FormatDouble_is_percent_17g(double value, string expected)
    {
        byte[] buffer = new byte[40];
        int n = RedisNumbers.FormatDouble(value, buffer);
        await Assert.That(Encoding.ASCII.GetString(buffer, 0, n)).IsEqualTo(expected);
    }

    [Test]
    [Arguments("10.50", "0.1", "10.6")]
    [Arguments("5.0e3", "2.0e2", "5200")]
    [Arguments("3", "-3", "0")]
    public async Task Long_double_sums_print_like_incrbyfloat(string a, string b, string expected)
    {
        await Assert.That(RedisNumbers.ParseLongDouble(Encoding.ASCII.GetBytes(a), out ExtendedReal x)).IsTrue();
        await Assert.That(RedisNumbers.ParseLongDouble(Encoding.ASCII.GetBytes(b), out ExtendedReal y)).IsTrue();
        await Assert.That(ExtendedReal.Add(x, y).ToHumanString()).IsEqualTo(expected);
    }
}
