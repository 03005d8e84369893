using System.Buffers;
using System.Buffers.Binary;
using ThunderDb.Core.Catalog;
using ThunderDb.Core.Sql.Execution;
using ThunderDb.Core.Sql.Planning;
using ThunderDb.Core.Sql.Types;
using Ast = ThunderDb.Core.Sql.Syntax;

namespace ThunderDb.Core.Sql.Engine;

/// <summary>
/// COPY table [(cols)] FROM STDIN and COPY table [(cols)] | (query) TO STDOUT over the session's
/// <see cref="ICopyChannel"/>. Input is parsed as it arrives (<see cref="CopyTextReader"/>, <see cref="CopyBinaryReader"/>)
/// and each row goes through the statement's <see cref="RowWriter"/>, the path INSERT takes (defaults, NOT NULL,
/// CHECK, unique key locks, foreign keys, secondary indexes, sequences), in the statement's transaction: an error
/// leaves nothing written, and a COPY larger than <c>storage.max_transaction_size</c> fails with 54000. Output
/// streams rows from the plan as they are produced, one CopyData per row.
/// </summary>
internal sealed class CopyExecutor(DmlExecutor dml, Binder binder, ExecutionRuntime runtime, EvalContext eval, ICopyChannel? channel)
{
    public async Task<StatementResult> ExecuteAsync(Ast.CopyStatement copy)
    {
        if (copy.File is not null && copy.Options.Any(o => o.Name == "program"))
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"COPY {(copy.IsFrom ? "from" : "to")} a program on the server is not supported",
                hint: "Use COPY ... FROM STDIN / TO STDOUT and run the program on the client (psql's \\copy ... program).");
        }

        if (copy.File is not null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"COPY {(copy.IsFrom ? "from" : "to")} a file on the server is not supported",
                hint: copy.IsFrom ? "Use COPY ... FROM STDIN, for example psql's \\copy." : "Use COPY ... TO STDOUT, for example psql's \\copy.");
        }

        if (channel is null)
        {
            throw new SqlException(SqlState.FeatureNotSupported, "COPY FROM STDIN and COPY TO STDOUT need the PostgreSQL protocol");
        }

        CopyOptions options = CopyOptions.Parse(copy.Options, copy.IsFrom);
        return copy.IsFrom ? await FromAsync(copy, options, channel).ConfigureAwait(false) : await ToAsync(copy, options, channel).ConfigureAwait(false);
    }

    private static List<ColumnDef> Targets(TableDef table, IReadOnlyList<string>? names)
    {
        if (names is null)
        {
            return [.. table.VisibleColumns];
        }

        var targets = new List<ColumnDef>();
        foreach (string name in names)
        {
            ColumnDef column = table.FindColumn(name) ?? throw new SqlException(SqlState.UndefinedColumn, $"column \"{name}\" of relation \"{table.Name}\" does not exist");
            if (targets.Contains(column))
            {
                throw new SqlException(SqlState.DuplicateColumn, $"column \"{name}\" specified more than once");
            }

            targets.Add(column);
        }

        return targets;
    }

    /// <summary>Which of <paramref name="names"/> a FORCE option marks, by position; a name outside the COPY's columns is 42P10.</summary>
    private static bool[] Flags(IReadOnlyList<string> names, string[] columns, string option, bool all = false)
    {
        bool[] flags = new bool[columns.Length];
        foreach (string name in names)
        {
            int i = Array.IndexOf(columns, name);
            if (i < 0)
            {
                throw new SqlException(SqlState.InvalidColumnReference, $"{option} column \"{name}\" not referenced by COPY");
            }

            flags[i] = true;
        }

        if (all)
        {
            Array.Fill(flags, true);
        }

        return flags;
    }

    private async Task<StatementResult> FromAsync(Ast.CopyStatement copy, CopyOptions options, ICopyChannel io)
    {
        TableDef table = binder.RequireTable(copy.Table!);
        List<ColumnDef> targets = Targets(table, copy.Columns);
        string[] names = [.. targets.Select(c => c.Name)];
        bool[] forceNotNull = Flags(options.ForceNotNull, names, "FORCE_NOT_NULL");
        bool[] forceNull = Flags(options.ForceNull, names, "FORCE_NULL");
        if (options.Format == CopyFormat.Binary && targets.FirstOrDefault(c => !io.HasBinaryFormat(c.Type)) is { } unsupported)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"binary COPY of type {unsupported.Type} (column \"{unsupported.Name}\") is not supported");
        }

        RowWriter writer = dml.WriterFor(table);
        var input = new CopyInput(options, names, forceNotNull, forceNull, table.Name, io);
        await io.BeginCopyInAsync(options.Format, targets.Count, runtime.Cancellation).ConfigureAwait(false);
        bool finished = false;
        long count = 0;
        try
        {
            var values = new SqlValue[targets.Count];
            // One row array for the whole COPY unless foreign-key checks keep rows until the statement ends.
            SqlValue[]? reused = writer.References is null ? new SqlValue[table.Columns.Count] : null;
            while (await input.NextAsync(values, targets, runtime.Cancellation).ConfigureAwait(false))
            {
                SqlValue[] row = writer.NewRow(values, targets, null, coerced: true, into: reused); // CopyInput cast each field with its column context
                try
                {
                    await writer.InsertAsync(row).ConfigureAwait(false);
                }
                catch (SqlException e) when (e.Where is null)
                {
                    throw e.WithWhere(input.LineContext(withText: e.SqlState != SqlState.UniqueViolation));
                }

                count++;
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                io.AbandonCopyIn();
            }
        }

        await writer.FinishAsync().ConfigureAwait(false);
        return new StatementResult("COPY " + count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<StatementResult> ToAsync(Ast.CopyStatement copy, CopyOptions options, ICopyChannel io)
    {
        PlanNode plan;
        int[] picks;
        string[] names;
        SqlType[] types;
        if (copy.Query is { } query)
        {
            plan = binder.BindSelect(query);
            picks = [.. Enumerable.Range(0, plan.Columns.Count)];
            names = [.. plan.Columns.Select(c => c.Name)];
            types = [.. plan.Columns.Select(c => c.Type)];
        }
        else
        {
            TableDef table = binder.RequireTable(copy.Table!);
            List<ColumnDef> targets = Targets(table, copy.Columns);
            plan = new TableScanNode(table, [.. table.Columns.Select(c => new PlanColumn(c.Name, c.Type, table.Oid, c.Number))]);
            picks = [.. targets.Select(c => c.Number - 1)];
            names = [.. targets.Select(c => c.Name)];
            types = [.. targets.Select(c => c.Type)];
        }

        bool[] forceQuote = Flags(options.ForceQuote, names, "FORCE_QUOTE", options.ForceQuoteAll);
        if (options.Format == CopyFormat.Binary && Array.FindIndex(types, t => !io.HasBinaryFormat(t)) is int bad and >= 0)
        {
            throw new SqlException(SqlState.FeatureNotSupported, $"binary COPY of type {types[bad]} (column \"{names[bad]}\") is not supported");
        }

        io.BeginCopyOut(options.Format, names.Length);
        var line = new ArrayBufferWriter<byte>(256);
        var text = options.Format == CopyFormat.Binary ? null : new CopyTextWriter(options, names.Length, forceQuote);
        if (text is null)
        {
            io.Write(CopyBinaryReader.Header);
        }
        else if (options.Header)
        {
            text.WriteHeader(names, line);
            io.Write(line.WrittenSpan);
        }

        long count = 0;
        var values = new SqlValue[picks.Length];
        foreach (SqlValue[] row in plan.Execute(eval))
        {
            for (int i = 0; i < picks.Length; i++)
            {
                values[i] = row[picks[i]];
            }

            if (text is null)
            {
                io.WriteBinaryRow(values, types);
            }
            else
            {
                line.ResetWrittenCount();
                text.WriteRow(values, line);
                io.Write(line.WrittenSpan);
            }

            count++;
            await io.FlushIfLargeAsync(runtime.Cancellation).ConfigureAwait(false);
        }

        if (text is null)
        {
            Span<byte> trailer = stackalloc byte[2];
            BinaryPrimitives.WriteInt16BigEndian(trailer, -1);
            io.Write(trailer);
        }

        io.EndCopyOut();
        return new StatementResult("COPY " + count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
