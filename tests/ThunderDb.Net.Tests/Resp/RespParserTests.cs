using System.Text;
using ThunderDb.Core.Redis;
using ThunderDb.Net.Resp;

namespace ThunderDb.Net.Tests.Resp;

/// <summary>The parser in memory: every frame split at every byte parses the same once complete.</summary>
public class RespParserTests
{
    private static readonly string[] Frames =
    [
        "*1\r\n$4\r\nPING\r\n",
        "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
        "*2\r\n$3\r\nGET\r\n$0\r\n\r\n",
        "*2\r\n$4\r\nECHO\r\n$13\r\nbin\r\n\0ary\r\n\r\n\r\n",
        "PING\r\n",
        "set a \"b c\\x41\\n\" 'd\\'e'\r\n",
        "get   k\n",
        "*0\r\n",
    ];

    private static List<string> ParseAll(byte[] bytes, out ParseStatus status)
    {
        var args = new ArgSlice[2];
        var result = new List<string>();
        status = RespParser.TryParse(bytes, 0, bytes.Length, ref args, out int argc, out int consumed, out _, out _);
        if (status == ParseStatus.Complete)
        {
            for (int i = 0; i < argc; i++)
            {
                result.Add(Encoding.Latin1.GetString(bytes, args[i].Offset, args[i].Length));
            }

            if (consumed != bytes.Length)
            {
                result.Add("<left " + (bytes.Length - consumed) + ">");
            }
        }

        return result;
    }

    [Test]
    public async Task Every_prefix_of_every_frame_is_incomplete_and_the_whole_frame_parses()
    {
        foreach (string frame in Frames)
        {
            // Inline arguments are unescaped in place, so every parse gets fresh bytes.
            byte[] whole = Encoding.Latin1.GetBytes(frame);
            List<string> expected = ParseAll(Encoding.Latin1.GetBytes(frame), out ParseStatus wholeStatus);
            await Assert.That(wholeStatus).IsEqualTo(ParseStatus.Complete);
            for (int split = 0; split < whole.Length; split++)
            {
                ParseAll(Encoding.Latin1.GetBytes(frame)[..split], out ParseStatus partial);
                await Assert.That(partial).IsEqualTo(ParseStatus.Incomplete);

                // The same bytes after a split: once the rest arrives the frame parses exactly as a whole.
                byte[] fresh = Encoding.Latin1.GetBytes(frame);
                byte[] joined = [.. fresh[..split], .. fresh[split..]];
                await Assert.That(string.Join("|", ParseAll(joined, out _))).IsEqualTo(string.Join("|", expected));
            }
        }
    }

    [Test]
    public async Task Inline_quoting_follows_redis_cli()
    {
        List<string> args = ParseAll(Encoding.Latin1.GetBytes("set a \"b c\\x41\\n\" 'd\\'e'\r\n"), out _);
        await Assert.That(string.Join("|", args)).IsEqualTo("set|a|b cA\n|d'e");
        ParseAll(Encoding.Latin1.GetBytes("set \"a\r\n"), out ParseStatus unbalanced);
        await Assert.That(unbalanced).IsEqualTo(ParseStatus.Error);
    }

    [Test]
    [Arguments("*x\r\n", "Protocol error: invalid multibulk length")]
    [Arguments("*2000000\r\n", "Protocol error: invalid multibulk length")]
    [Arguments("*1\r\n$-5\r\n", "Protocol error: invalid bulk length")]
    [Arguments("*1\r\n$600000000\r\n", "Protocol error: invalid bulk length")]
    [Arguments("*1\r\n+PING\r\n", "Protocol error: expected '$', got '+'")]
    public async Task Bad_frames_are_refused_before_allocating(string frame, string message)
    {
        byte[] bytes = Encoding.Latin1.GetBytes(frame);
        var args = new ArgSlice[2];
        ParseStatus status = RespParser.TryParse(bytes, 0, bytes.Length, ref args, out _, out _, out _, out string? error);
        await Assert.That(status).IsEqualTo(ParseStatus.Error);
        await Assert.That(error).IsEqualTo(message);
        await Assert.That(args.Length).IsEqualTo(2);
    }

    [Test]
    public async Task Huge_inline_without_newline_is_refused()
    {
        byte[] bytes = new byte[RespParser.MaxInlineLength + 10];
        bytes.AsSpan().Fill((byte)'a');
        var args = new ArgSlice[2];
        ParseStatus status = RespParser.TryParse(bytes, 0, bytes.Length, ref args, out _, out _, out _, out string? error);
        await Assert.That(status).IsEqualTo(ParseStatus.Error);
        await Assert.That(error).IsEqualTo("Protocol error: too big inline request");
    }
}
