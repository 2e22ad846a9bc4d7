using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Passerelle.Storage;

/// <summary>
/// /health/ready: the database answers and its schema is the one this build needs. During an upgrade (README, "Deploying"),
/// `migrate` runs before the new instances start: the instances of the previous version stay ready — Degraded, still 200 —
/// until they are replaced, rather than all leaving the load balancer before a new one is up.
/// </summary>
public sealed class DatabaseReadyCheck(SchemaMigrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var status = await migrator.GetStatusAsync(cancellationToken);
            return status.IsAheadOfThisBuild
                ? HealthCheckResult.Degraded($"schema version {status.AppliedVersion}, newer than this instance knows ({status.LatestVersion}): replace it with the newer version")
                : status.IsUpToDate
                ? HealthCheckResult.Healthy($"schema version {status.AppliedVersion}")
                : HealthCheckResult.Unhealthy($"schema version {status.AppliedVersion}, {status.Pending.Count} migration(s) pending");
        }
        catch (StartupException e)
        {
            return HealthCheckResult.Unhealthy(e.Message);
        }
    }
}
