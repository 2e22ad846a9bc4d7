using System.Globalization;

namespace Passerelle.Bench;

/// <summary>
/// Processor time spent during a measured window, from /proc: by the process that answered (Passerelle or the baseline's
/// host), by PostgreSQL (all its processes) and by the whole machine (the driver included). Divided by the requests of the
/// window, it says what one request costs — steadier than a throughput on a shared machine, where other tenants take
/// cores away but do not make our work larger.
/// </summary>
public sealed record ProcessorUse(double HostMs, double PostgresMs, double MachineMs)
{
    public static readonly ProcessorUse None = new(0, 0, 0);

    public ProcessorUse PerRequest(int requests) =>
        requests == 0 ? None : new(HostMs / requests, PostgresMs / requests, MachineMs / requests);
}

public static class ProcessorMeter
{
    private static readonly double MsPerTick = 1000.0 / 100; // USER_HZ is 100 on Linux

    /// <summary>Reads the counters when the window opens (after <paramref name="warmup"/>) and when it closes.</summary>
    public static async Task<ProcessorUse> MeasureAsync(int hostPid, TimeSpan warmup, TimeSpan duration)
    {
        if (!File.Exists("/proc/stat"))
            return ProcessorUse.None;
        await Task.Delay(warmup);
        var before = Read(hostPid);
        await Task.Delay(duration);
        var after = Read(hostPid);
        return new ProcessorUse((after.Host - before.Host) * MsPerTick, (after.Postgres - before.Postgres) * MsPerTick,
            (after.Machine - before.Machine) * MsPerTick);
    }

    /// <summary>The counters now, for <see cref="Since"/>: a window of any length (the dispatcher's figure).</summary>
    public static (long Host, long Postgres, long Machine) Now(int hostPid) => File.Exists("/proc/stat") ? Read(hostPid) : (0, 0, 0);

    public static ProcessorUse Since((long Host, long Postgres, long Machine) before, int hostPid)
    {
        if (!File.Exists("/proc/stat"))
            return ProcessorUse.None;
        var after = Read(hostPid);
        return new ProcessorUse((after.Host - before.Host) * MsPerTick, (after.Postgres - before.Postgres) * MsPerTick,
            (after.Machine - before.Machine) * MsPerTick);
    }

    private static (long Host, long Postgres, long Machine) Read(int hostPid)
    {
        long postgres = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || Ticks(pid) is not { } process || process.Command != "postgres")
                continue;
            // With its ended children's time (cutime + cstime): a backend that exits in the window (a pool pruning its idle
            // connections) hands its time to the postmaster instead of taking it out of the sum.
            postgres += process.Ticks + process.Children;
        }
        return (Ticks(hostPid)?.Ticks ?? 0, postgres, MachineBusyTicks());
    }

    /// <summary>utime + stime of a process (fields 14 and 15 of /proc/[pid]/stat, after the command in parentheses), and cutime +
    /// cstime (16 and 17: the children it waited for).</summary>
    private static (string Command, long Ticks, long Children)? Ticks(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            var fields = stat[(close + 2)..].Split(' ');
            // fields[0] is field 3 (state): utime is field 14, stime field 15.
            long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
            return (stat[(open + 1)..close], Field(11) + Field(12), Field(13) + Field(14));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null; // the process ended meanwhile
        }
    }

    /// <summary>All processors' busy time: the first line of /proc/stat less idle and iowait.</summary>
    private static long MachineBusyTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        return fields.Take(8).Sum() - fields[3] - fields[4];
    }
}
