using System.Text.Json.Serialization;

namespace ThunderDb.Host.Admin;

public sealed record StatusResponse(string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

public sealed record ErrorResponse(string Error, string Detail);

/// <summary><c>POST /admin/backup</c>: the manifest summary of the completed backup.</summary>
public sealed record BackupResponse(
    string Id, string Path, string Status, string StartTime, string EndTime, double DurationMs, ulong StartLsn, ulong EndLsn,
    ulong EndCommitTs, string EndCommitTime, string SystemId, int PageSize, long SizeBytes, int Files, string ThunderdbVersion);

/// <summary>One entry of <c>GET /admin/backups</c>; <c>pitr</c> = a point-in-time restore can start from it.</summary>
public sealed record BackupListEntry(
    string Id, string Path, string Status, string Time, string? EndTime, long SizeBytes, ulong? StartLsn, ulong? EndLsn, bool Pitr, bool Latest, string? Problem);

public sealed record BackupListResponse(string BackupDir, List<BackupListEntry> Backups);

public sealed record HealthCheckResponse(string Status, string Detail);

public sealed record HealthResponse(
    string Status,
    bool DiskOk,
    double? FreePercent,
    Dictionary<string, HealthCheckResponse> Checks);

/// <summary>The runbook's <c>/admin/metrics</c> fields, read from the metrics registry.</summary>
public sealed record AdminMetricsResponse(
    double QueriesTotal,
    double QueriesFailed,
    double ActiveConnections,
    double ActiveTransactions,
    double BufferPoolHitRatio,
    double? AverageQueryTimeMs);

/// <summary>
/// One client connection of any protocol for <c>GET /admin/connections</c>. <c>command</c> is the
/// command running now or, when idle, the last one run (the registry's semantics); <c>idle_ms</c> is the
/// time since the connection last finished a batch of commands.
/// </summary>
public sealed record ConnectionResponse(
    long Id,
    string Protocol,
    string Remote,
    string Local,
    string? User,
    string? Name,
    DateTimeOffset StartedAt,
    double AgeSeconds,
    long IdleMs,
    string? Command);

public sealed record ConnectionListResponse(int Count, IReadOnlyList<ConnectionResponse> Connections);

/// <summary>One entry of <c>GET /admin/queries</c>: a connection in the middle of a command.</summary>
public sealed record QueryResponse(long ConnectionId, string Protocol, string Remote, string? User, string? Command, long RunningMs);

/// <summary>The answer of <c>GET /admin/queries</c>.</summary>
public sealed record QueryListResponse(int Count, IReadOnlyList<QueryResponse> Queries);

/// <summary>The answer of <c>DELETE /admin/connections/{id}</c>.</summary>
public sealed record ConnectionKilledResponse(long Id, string Status, string Protocol, string Remote);

/// <summary>The answer of <c>POST /admin/vacuum/{table}</c>: what the vacuum did.</summary>
public sealed record VacuumResponse(string Table, string Database, bool Analyzed, long VersionsRemoved, long LiveRows, bool StatisticsRecorded, double DurationMs);

/// <summary>Source-generated serializers for the admin API (no reflection under native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(AdminMetricsResponse))]
[JsonSerializable(typeof(ConnectionListResponse))]
[JsonSerializable(typeof(ConnectionKilledResponse))]
[JsonSerializable(typeof(QueryListResponse))]
[JsonSerializable(typeof(VacuumResponse))]
[JsonSerializable(typeof(BackupResponse))]
[JsonSerializable(typeof(BackupListResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
