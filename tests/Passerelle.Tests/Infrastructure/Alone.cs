namespace Passerelle.Tests.Infrastructure;

/// <summary>
/// Tests that must run while no other test does: what they observe is process-wide (an OpenTelemetry meter listener sees
/// the instruments of every app the test process runs, whatever DI container made them). xUnit runs this collection after
/// the parallel ones, one test at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Alone
{
    public const string Name = "Runs alone";
}
