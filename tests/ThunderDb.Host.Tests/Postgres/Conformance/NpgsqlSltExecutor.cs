using Npgsql;
using ThunderDb.SqlLogicTest;

namespace ThunderDb.Host.Tests.Postgres.Conformance;

/// <summary>
/// The sqllogictest runner's executor over the PostgreSQL protocol (engine name <c>postgresql</c>), through Npgsql on one
/// connection: each record is one extended-protocol command in autocommit, as psqlODBC sends SQLExecDirect. Results are
/// asked for in text format (<see cref="NpgsqlCommand.AllResultTypesAreUnknown"/>), so every value is the server's own text
/// output, which the shared formatter converts as the ODBC driver does; a boolean column is known by its type OID.
/// </summary>
internal sealed class NpgsqlSltExecutor(NpgsqlConnection connection) : ISltExecutor
{
    private const uint BoolOid = 16;

    public async Task<string?> ExecuteStatementAsync(string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
            return null;
        }
        catch (PostgresException e)
        {
            return $"{e.SqlState} {e.MessageText}";
        }
    }

    public async Task<SltQueryResult> ExecuteQueryAsync(string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection) { AllResultTypesAreUnknown = true };
        try
        {
            await using NpgsqlDataReader reader = await command.ExecuteReaderAsync(ct);
            int columns = reader.FieldCount;
            var isBool = new bool[columns];
            for (int c = 0; c < columns; c++)
            {
                isBool[c] = reader.GetDataTypeOID(c) == BoolOid;
            }

            var rows = new List<SltCell[]>();
            while (await reader.ReadAsync(ct))
            {
                var row = new SltCell[columns];
                for (int c = 0; c < columns; c++)
                {
                    row[c] = reader.IsDBNull(c) ? new SltCell(null) : new SltCell(reader.GetString(c), isBool[c]);
                }

                rows.Add(row);
            }

            return new SltQueryResult(columns, rows);
        }
        catch (PostgresException e)
        {
            return SltQueryResult.Failed($"{e.SqlState} {e.MessageText}");
        }
    }
}
