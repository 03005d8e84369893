using System.Text.Json.Serialization;

namespace ThunderDb.Host.Admin;

public sealed record StatusResponse(string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail = null);

public sealed record ErrorResponse(string Error, string Detail);

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

/// <summary>Source-generated serializers for the admin API (no reflection under native AOT).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StatusResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(AdminMetricsResponse))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
