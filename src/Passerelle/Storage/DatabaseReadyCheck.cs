using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Passerelle.Storage;

/// <summary>/health/ready: the database answers and its schema is the one this build needs.</summary>
public sealed class DatabaseReadyCheck(SchemaMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await migrator.GetStatusAsync(cancellationToken);
            return status.IsUpToDate
                ? HealthCheckResult.Healthy($"schema version {status.AppliedVersion}")
                : HealthCheckResult.Unhealthy($"schema version {status.AppliedVersion}, {status.Pending.Count} migration(s) pending");
        }
        catch (StartupException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
