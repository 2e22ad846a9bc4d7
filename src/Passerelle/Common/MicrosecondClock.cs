namespace Passerelle.Common;

/// <summary>
/// Passerelle's clock: another clock's time (the system's) to the microsecond, as PostgreSQL keeps instants. With the
/// system's ticks, a resource the API had just created was answered with seven decimals of a second and read back later
/// with six: the same record, two values. Timers and timestamps are the inner clock's.
/// </summary>
public sealed class MicrosecondClock(TimeProvider inner) : TimeProvider
{
    public override DateTimeOffset GetUtcNow()
    {
        var now = inner.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }

    public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);
}
