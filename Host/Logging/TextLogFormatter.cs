using System.Globalization;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Parsing;
using ThunderDb.Host.Configuration;

namespace ThunderDb.Host.Logging;

/// <summary>
/// One line per event: <c>2025-01-15T12:30:00.123Z INFO [Source] message</c>, with the level names
/// the runbook uses (so <c>grep "INFO ThunderDB server stopped"</c> works), then the exception if any.
/// </summary>
internal sealed class TextLogFormatter : ITextFormatter
{
    /// <summary>Like Serilog's rendering, but strings are written bare (no quotes) so lines read as prose.</summary>
    private static void RenderMessage(LogEvent logEvent, TextWriter output)
    {
        foreach (var token in logEvent.MessageTemplate.Tokens)
        {
            if (token is PropertyToken p && logEvent.Properties.TryGetValue(p.PropertyName, out var value))
            {
                if (value is ScalarValue { Value: string text })
                {
                    output.Write(text);
                }
                else
                {
                    value.Render(output, p.Format, CultureInfo.InvariantCulture);
                }
            }
            else
            {
                token.Render(logEvent.Properties, output, CultureInfo.InvariantCulture);
            }
        }
    }

    public void Format(LogEvent logEvent, TextWriter output)
    {
        output.Write(logEvent.Timestamp.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        output.Write(' ');
        output.Write(LogLevels.Tag(logEvent.Level));
        output.Write(' ');
        if (logEvent.Properties.TryGetValue("SourceContext", out var source) && source is ScalarValue { Value: string name })
        {
            var dot = name.LastIndexOf('.');
            output.Write('[');
            output.Write(dot >= 0 ? name.AsSpan(dot + 1) : name);
            output.Write("] ");
        }

        RenderMessage(logEvent, output);
        output.Write('\n');
        if (logEvent.Exception is not null)
        {
            output.Write(logEvent.Exception.ToString());
            output.Write('\n');
        }
    }
}
