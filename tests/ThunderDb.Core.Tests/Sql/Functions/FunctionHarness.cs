using System.Text;
using ThunderDb.Core.Sql;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Functions;
using ThunderDb.Core.Sql.Types;

namespace ThunderDb.Core.Tests.Sql.Functions;

/// <summary>
/// Runs a call written as PostgreSQL would take it (<c>lpad('hi', '5'::int4, 'xy')</c>: arguments are
/// string literals, untyped or with a <c>::type</c> cast, or <c>NULL::type</c>) the way the binder will:
/// resolve by argument types, cast each argument to the resolved parameter type, skip strict functions on
/// NULL. The expected outputs in the tests were produced by running the same text through PostgreSQL 15.
/// </summary>
internal static class FunctionHarness
{
    public const string Null = "<NULL>";

    /// <summary>2024-02-29 12:34:56.789 UTC, the statement timestamp the tests evaluate with.</summary>
    public static readonly long StatementTimestamp = SqlDateTime.ParseTimestamp("2024-02-29 12:34:56.789", withTimeZone: true);

    public static (string Output, string Type) Evaluate(string call)
    {
        (string name, List<(SqlValue Value, SqlType Type)> args) = ParseCall(call);
        ScalarFunction f = FunctionCatalog.ResolveScalar(name, args.Select(a => a.Type).ToList());
        var values = new SqlValue[args.Count];
        bool anyNull = false;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = SqlCast.Coerce(args[i].Value, f.Parameters[i]);
            anyNull |= values[i].IsNull;
        }

        var context = new EvalContext([]) { StatementTimestampMicros = StatementTimestamp };
        SqlValue result = f.Strict && anyNull ? SqlValue.Null : f.Body(values, context);
        return (Format(result), f.ReturnType.ToString());
    }

    /// <summary>Runs an aggregate over the elements of an array literal: <c>x</c> in the call is the element, other arguments are constants.</summary>
    public static (string Output, string Type) Aggregate(string call, string elementType, string elements)
    {
        SqlType element = SqlTypeInfo.Resolve(elementType);
        string name = call[..call.IndexOf('(', StringComparison.Ordinal)];
        string inside = call[(name.Length + 1)..^1];
        var args = new List<(SqlValue Value, SqlType Type)?>();
        if (inside != "*")
        {
            var p = new Parser(inside);
            do
            {
                p.SkipSpaces();
                if (p.TryWord("x"))
                {
                    args.Add(null);
                }
                else
                {
                    args.Add(p.Argument());
                }

                p.SkipSpaces();
            }
            while (p.TryChar(','));
        }

        AggregateFunction f = FunctionCatalog.ResolveAggregate(name, args.Select(a => a?.Type ?? element).ToList())
            ?? throw new InvalidOperationException($"{name} is not an aggregate");
        IAggregateState state = f.CreateState();
        foreach (SqlValue item in SqlText.ParseArray(elements, element).AsArray.Items)
        {
            var row = new SqlValue[args.Count];
            for (int i = 0; i < row.Length; i++)
            {
                row[i] = SqlCast.Coerce(args[i]?.Value ?? item, f.Parameters[i]);
            }

            if (!(f.IgnoresNulls && row.Any(v => v.IsNull)))
            {
                state.Step(row);
            }
        }

        return (Format(state.Result()), f.ReturnType.ToString());
    }

    public static string Format(SqlValue v) => v.IsNull ? Null : SqlText.Format(v);

    /// <summary>Checks a result against PostgreSQL's: a value and its type, or "ERROR sqlstate: message".</summary>
    public static async Task Check(Func<(string Output, string Type)> run, string expected, string expectedType)
    {
        if (expected.StartsWith("ERROR ", StringComparison.Ordinal))
        {
            var e = Assert.Throws<SqlException>(() => run());
            await Assert.That($"ERROR {e.SqlState}: {e.Message}").IsEqualTo(expected);
            return;
        }

        (string output, string type) = run();
        await Assert.That(output).IsEqualTo(expected);
        await Assert.That(type).IsEqualTo(expectedType);
    }

    private static (string Name, List<(SqlValue, SqlType)> Args) ParseCall(string call)
    {
        var p = new Parser(call);
        string name = p.Name();
        if (name == "pg_catalog.")
        {
            name = p.Name();
        }

        var args = new List<(SqlValue, SqlType)>();
        p.Expect('(');
        p.SkipSpaces();
        if (!p.TryChar(')'))
        {
            do
            {
                args.Add(p.Argument());
                p.SkipSpaces();
            }
            while (p.TryChar(','));

            p.Expect(')');
        }

        return (name, args);
    }

    private sealed class Parser(string text)
    {
        private int _at;

        public string Name()
        {
            int start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }

            if (_at < text.Length && text[_at] == '.')
            {
                _at++;
            }

            return text[start.._at];
        }

        public void SkipSpaces()
        {
            while (_at < text.Length && text[_at] == ' ')
            {
                _at++;
            }
        }

        public bool TryChar(char c)
        {
            if (_at < text.Length && text[_at] == c)
            {
                _at++;
                return true;
            }

            return false;
        }

        public bool TryWord(string word)
        {
            if (string.CompareOrdinal(text, _at, word, 0, word.Length) == 0 && (_at + word.Length == text.Length || !char.IsAsciiLetter(text[_at + word.Length])))
            {
                _at += word.Length;
                return true;
            }

            return false;
        }

        public void Expect(char c)
        {
            if (!TryChar(c))
            {
                throw new FormatException($"expected '{c}' at {_at} in {text}");
            }
        }

        public (SqlValue, SqlType) Argument()
        {
            SkipSpaces();
            SqlValue literal;
            if (TryWord("NULL"))
            {
                literal = SqlValue.Null;
            }
            else
            {
                bool escapes = TryChar('E');
                literal = SqlValue.FromString(SqlTypeKind.Unknown, Quoted(escapes));
            }

            if (!TryChar(':'))
            {
                return (literal, SqlType.Unknown);
            }

            Expect(':');
            string typeName = Name();
            var modifiers = new List<int>();
            if (TryChar('('))
            {
                int start = _at;
                while (char.IsAsciiDigit(text[_at]))
                {
                    _at++;
                }

                modifiers.Add(int.Parse(text[start.._at], System.Globalization.CultureInfo.InvariantCulture));
                Expect(')');
            }

            bool isArray = TryChar('[') && TryChar(']');
            SqlType type = SqlTypeInfo.Resolve(typeName, modifiers.ToArray(), isArray);
            return (SqlCast.Coerce(literal, type, isExplicit: true), type);
        }

        private string Quoted(bool escapes)
        {
            Expect('\'');
            var sb = new StringBuilder();
            while (true)
            {
                char c = text[_at++];
                if (c == '\'')
                {
                    if (!TryChar('\''))
                    {
                        return sb.ToString();
                    }
                }
                else if (c == '\\' && escapes)
                {
                    c = text[_at++] switch
                    {
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        char other => other,
                    };
                }

                sb.Append(c);
            }
        }
    }
}
