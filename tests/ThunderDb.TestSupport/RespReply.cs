using System.Globalization;
using System.Text;

namespace ThunderDb.TestSupport;

/// <summary>One parsed reply of any RESP2/RESP3 type, every type kept distinct; maps are flattened into their key/value items.</summary>
public sealed class RespReply(char kind, string? text, List<RespReply>? items)
{
    /// <summary>The type byte: <c>+ - : $ *</c> and RESP3's <c>_ , # ( = ! ~ > % |</c>.</summary>
    public char Kind { get; } = kind;

    /// <summary>Null for a nil bulk/array.</summary>
    public string? Text { get; } = text;

    public List<RespReply>? Items { get; } = items;

    public RespReply Sorted() => Items is null
        ? this
        : new RespReply(Kind, Text, [.. Items.Select(i => i.Sorted()).OrderBy(i => i.ToString(), StringComparer.Ordinal)]);

    /// <summary>Types and array lengths only; errors keep their text (an error is never random).</summary>
    public string Shape() => Kind switch
    {
        '-' => ToString(),
        _ when Items is not null => $"{Kind}{Items.Count}[{string.Join(',', Items.Select(i => i.Shape()))}]",
        _ when Text is null => Kind + "nil",
        _ => Kind.ToString(),
    };

    /// <summary>
    /// The reply as plain values: a string for simple, bulk, double, big-number and verbatim replies, <c>"-"</c> plus the
    /// text for an error, a long for an integer, null for nil, an <c>object?[]</c> for any aggregate.
    /// </summary>
    public object? ToValue() => Kind switch
    {
        '-' => "-" + Text,
        ':' => long.Parse(Text!, CultureInfo.InvariantCulture),
        _ when Items is not null => Items.Select(i => i.ToValue()).ToArray(),
        _ => Text,
    };

    public override string ToString() => Items is not null
        ? $"{Kind}[{string.Join(", ", Items)}]"
        : Text is null ? Kind + "nil" : Kind is '$' or '=' or '!' ? $"\"{Escape(Text)}\"" : Kind + Escape(Text);

    private static string Escape(string s)
    {
        var sb = new StringBuilder();
        foreach (var c in s)
        {
            _ = c switch
            {
                '\r' => sb.Append("\\r"),
                '\n' => sb.Append("\\n"),
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                < ' ' or > '~' => sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => sb.Append(c),
            };
        }

        return sb.ToString();
    }
}
