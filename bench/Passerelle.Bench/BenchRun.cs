using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;

namespace Passerelle.Bench;

public sealed record BenchSettings(
    string AdminConnectionString, string ServerDll, string ResultsFolder,
    int Schools = 500, int Referrals = 1_000_000, int SmallSchools = 50, int SmallReferrals = 10_000,
    int Connections = 16, double ServerWarmupSeconds = 40, double WarmupSeconds = 5, double DurationSeconds = 15, int Answers = 60_000, int Mails = 10_000, bool Reuse = false,
    string? Only = null, int? SmtpPort = null);

/// <summary>
/// The whole benchmark in one run: data at two scales, Passerelle started as in production against each, figures
/// (a)–(e) with the server's peak memory, and the report in bench/results/.
/// </summary>
public static class BenchRun
{
    private const int WarmupAnswers = 5_000;

    /// <summary>Mails sent before (e) is timed.</summary>
    private const int WarmupMails = 3_000;

    /// <summary>
    /// New candidates made for (g) and (g′): more than 16 connections create in a warm-up and a window (20 s). 40,000 ran out
    /// in (g′) at 2,398 req/s on a fast hour (report of 03/12/2026 13h13); this is enough up to 3,200 req/s.
    /// </summary>
    private const int ApiCreates = 64_000;

    /// <summary>New candidates made for the server's warm-up: more than its creates in a third of the warm-up.</summary>
    private const int WarmupCreates = 20_000;

    /// <returns>The report's path; null when <see cref="BenchSettings.Only"/> picked some figures (printed, no report).</returns>
    public static async Task<string?> RunAsync(BenchSettings settings, TextWriter log)
    {
        // --only "s,d,e": just those figures ("s" is the small database), for a quick look while working on one.
        bool Wants(string figure) => settings.Only is null || settings.Only.Split(',').Contains(figure);
        var started = DateTimeOffset.Now;
        Directory.CreateDirectory(settings.ResultsFolder);
        var serverLog = Path.Combine(Path.GetTempPath(), $"passerelle-bench-server-{started:yyyyMMdd-HHmmss}.log");
        var baselineLog = Path.Combine(Path.GetTempPath(), $"passerelle-bench-baseline-{started:yyyyMMdd-HHmmss}.log");
        var small = Wants("s") ? await PrepareAsync(settings, "passerelle_bench_small", settings.SmallSchools, settings.SmallReferrals, log) : null;
        // (d) answers a referral waiting for the company with every request: a reused database must have enough left.
        var large = await PrepareAsync(settings, "passerelle_bench_large", settings.Schools, settings.Referrals, log,
            waiting: Wants("d") ? settings.Answers + WarmupAnswers : 0);
        var warmup = TimeSpan.FromSeconds(settings.WarmupSeconds);
        var duration = TimeSpan.FromSeconds(settings.DurationSeconds);
        var results = new Dictionary<string, LoadResult>();
        long peakMemory = 0;
        await using var sink = new SmtpSink();

        async Task MeasureAsync(string key, ServerProcess host, int connections, Func<LoadDriver.Request?> next)
        {
            log.Write($"{key,-22} {connections,2} connection(s)… ");
            var processor = ProcessorMeter.MeasureAsync(host.Id, warmup, duration);
            var result = await LoadDriver.RunAsync(key, host.Address, connections, warmup, duration, next);
            var perRequest = (await processor).PerRequest(result.Requests);
            results[key] = result with { Processor = perRequest };
            log.WriteLine($"{result.Throughput,8:0} req/s  p50 {result.P50,6:0.00} ms  p95 {result.P95,6:0.00} ms  p99 {result.P99,6:0.00} ms  failures {result.Failures}" +
                $"  processor per request: host {perRequest.HostMs:0.00} ms, PostgreSQL {perRequest.PostgresMs:0.00} ms, machine {perRequest.MachineMs:0.00} ms");
        }

        static Func<LoadDriver.Request?> Always(LoadDriver.Request request) => () => request;

        // A fresh server runs tier-0 code; tiered compilation needs tens of seconds of load to reach the optimized
        // code a long-running instance has. Every figure is taken after this, so they describe the steady state.
        async Task WarmAsync(Scenarios scenarios, Uri baseline, bool answers, bool api)
        {
            log.WriteLine($"Warming the server up for {settings.ServerWarmupSeconds} s…");
            // On the large database, the answers by mail link too (5,000: they use up referrals waiting for a company),
            // and with them the dispatcher's code, which sends their mails.
            var each = TimeSpan.FromSeconds(settings.ServerWarmupSeconds / 3.0);
            await LoadDriver.RunAsync("warm-up", scenarios.Server, settings.Connections, each, TimeSpan.Zero, Always(scenarios.CompanyList()));
            await LoadDriver.RunAsync("warm-up", baseline, settings.Connections, each, TimeSpan.Zero, Always(scenarios.Baseline()));
            if (answers)
            {
                await LoadDriver.RunAsync("warm-up", scenarios.Server, settings.Connections, each, TimeSpan.Zero, await scenarios.MailAnswersAsync(WarmupAnswers));
                // The dispatcher sends slowly while requests come in: its code is warm, and (d) starts on an empty
                // queue, once their mails are out.
                await WaitAsync(async () => await scenarios.PendingMailsAsync() == 0, TimeSpan.FromMinutes(10));
            }
            if (api)
            {
                // The API's list and creates too: 15 s into (g), the tiered compiler still took a sixth of the server's processor
                // when they were not warmed up (bench/findings.md). Its own candidates: (g′) and (g) create others.
                await LoadDriver.RunAsync("warm-up", scenarios.Server, settings.Connections, each / 2, TimeSpan.Zero, Always(scenarios.ApiList()));
                await LoadDriver.RunAsync("warm-up", scenarios.Server, settings.Connections, each, TimeSpan.Zero,
                    scenarios.ApiCreates(await scenarios.CreateInputsAsync(WarmupCreates)));
                await WaitAsync(async () => await scenarios.PendingMailsAsync() == 0, TimeSpan.FromMinutes(10));
            }
            // The warm-up's answers, creates and mails left dead row versions and changed rows enough for autovacuum to come
            // during the first figures (on a fresh database (c) cost PostgreSQL 0.85 ms a request in the report of 03/12 08h08,
            // 0.47 in `--reuse` runs): settled now, as the clean-up of a reused database settles it.
            if (answers || api)
                await scenarios.SettleAsync();
        }

        log.WriteLine($"Server log: {serverLog}");
        if (small is not null)
        {
            await using var server = await ServerProcess.StartAsync(settings.ServerDll, small, settings.SmtpPort ?? sink.Port, serverLog);
            await using var baseline = await ServerProcess.StartBaselineAsync(small, baselineLog);
            var scenarios = new Scenarios(server.Address, small);
            await scenarios.SignInAsync();
            await WarmAsync(scenarios, baseline.Address, answers: false, api: false);
            await MeasureAsync("small.b.baseline", baseline, settings.Connections, Always(scenarios.Baseline()));
            await MeasureAsync("small.c.list", server, settings.Connections, Always(scenarios.CompanyList()));
            await MeasureAsync("small.c.list.1", server, 1, Always(scenarios.CompanyList()));
            peakMemory = server.PeakResidentBytes;
        }

        double mailsPerSecond = 0, mailsSeconds = 0, firstMailSeconds = 0, backlogSeconds = 0, dispatchedUnderLoad = 0;
        long backlog = 0;
        var connections = 0;
        var mailProcessor = ProcessorUse.None;
        await using (var server = await ServerProcess.StartAsync(settings.ServerDll, large, settings.SmtpPort ?? sink.Port, serverLog))
        await using (var baseline = await ServerProcess.StartBaselineAsync(large, baselineLog))
        {
            var scenarios = new Scenarios(server.Address, large);
            await scenarios.SignInAsync();
            if (Wants("f") || Wants("g"))
                await scenarios.CreateApiKeyAsync();
            await WarmAsync(scenarios, baseline.Address, answers: Wants("d"), api: Wants("f") || Wants("g"));
            if (Wants("a"))
                await MeasureAsync("a.health", server, settings.Connections, Always(Scenarios.Health()));
            if (Wants("b"))
                await MeasureAsync("b.baseline", baseline, settings.Connections, Always(scenarios.Baseline()));
            if (Wants("c"))
            {
                await MeasureAsync("c.list", server, settings.Connections, Always(scenarios.CompanyList()));
                await MeasureAsync("c.list.1", server, 1, Always(scenarios.CompanyList()));
            }
            if (Wants("f"))
            {
                await MeasureAsync("b.api.baseline", baseline, settings.Connections, Always(scenarios.ApiBaseline()));
                await MeasureAsync("f.api.list", server, settings.Connections, Always(scenarios.ApiList()));
            }
            if (Wants("g"))
            {
                // Its ceiling first: rolled back, so (g) creates the same candidates' referrals afterwards.
                var creates = await scenarios.CreateInputsAsync(ApiCreates);
                // Its new candidates crossed autovacuum's threshold on the table, whose ANALYZE then ran in (g)'s window (6 %
                // of the machine in a profile, bench/findings.md): settled first, as the warm-up's are.
                await scenarios.SettleAsync();
                await MeasureAsync("g.baseline", baseline, settings.Connections, scenarios.ApiCreateBaseline(creates));
                await MeasureAsync("g.api.create", server, settings.Connections, scenarios.ApiCreates(creates));
            }
            if (Wants("d"))
            {
                // Its ceiling first (nothing kept, nothing to send), on referrals (d) does not answer after it.
                await MeasureAsync("d.baseline", baseline, settings.Connections, await scenarios.AnswerBaselineAsync(settings.Answers / 2));
                // The dispatcher keeps sending while (d) runs: what it sends in that time is its rate under load.
                var answers = await scenarios.MailAnswersAsync(settings.Answers / 2);
                var (sentBefore, during) = (sink.Received, Stopwatch.GetTimestamp());
                await MeasureAsync("d.answer", server, settings.Connections, answers);
                dispatchedUnderLoad = (sink.Received - sentBefore) / Stopwatch.GetElapsedTime(during).TotalSeconds;
                log.WriteLine($"{"d.dispatch",-22} while (d) ran: {dispatchedUnderLoad:0} mails/s");
                await MeasureAsync("d.answer.4", server, 4, await scenarios.MailAnswersAsync(settings.Answers / 2));
            }

            // (e): once the mails of (d) are out, queue 10,000 more at once and time the dispatcher until the last arrives.
            if (Wants("e"))
            {
                log.Write("e.dispatch             waiting for the mails of (d)… ");
                backlog = await scenarios.PendingMailsAsync();
                var waiting = Stopwatch.GetTimestamp();
                await WaitAsync(async () => await scenarios.PendingMailsAsync() == 0, TimeSpan.FromMinutes(10));
                backlogSeconds = Stopwatch.GetElapsedTime(waiting).TotalSeconds;
                log.Write($"{backlog} out in {backlogSeconds:0.0} s, ");
                // The dispatcher's code tiered up first, as in an instance that has been sending (the backlog of (d) does it when
                // (d) ran; alone, (e) would time the JIT).
                await scenarios.QueueMailsAsync(WarmupMails);
                await WaitAsync(async () => await scenarios.PendingMailsAsync() == 0, TimeSpan.FromMinutes(5));
                var before = sink.Received;
                log.Write($"queueing {settings.Mails}… ");
                await scenarios.QueueMailsAsync(settings.Mails);
                var queued = Stopwatch.GetTimestamp();
                var counters = ProcessorMeter.Now(server.Id);
                if (settings.SmtpPort is null)
                {
                    await WaitAsync(() => Task.FromResult(sink.Received - before >= settings.Mails), TimeSpan.FromMinutes(10));
                    mailProcessor = ProcessorMeter.Since(counters, server.Id).PerRequest(settings.Mails);
                    var arrivals = sink.ArrivalsSince(before);
                    mailsSeconds = (arrivals.Max() - queued) / (double)Stopwatch.Frequency;
                    firstMailSeconds = (arrivals.Min() - queued) / (double)Stopwatch.Frequency;
                }
                else
                {
                    // Another SMTP server (--smtp-port, the cross-check with postfix): done when the outbox has nothing pending,
                    // each mail having had the server's 250.
                    await WaitAsync(async () => await scenarios.PendingMailsAsync() == 0, TimeSpan.FromMinutes(10), poll: TimeSpan.FromMilliseconds(20));
                    mailsSeconds = Stopwatch.GetElapsedTime(queued).TotalSeconds;
                    mailProcessor = ProcessorMeter.Since(counters, server.Id).PerRequest(settings.Mails);
                }
                mailsPerSecond = settings.Mails / mailsSeconds;
                connections = sink.Connections;
                log.WriteLine($"{mailsPerSecond:0} mails/s ({settings.Mails} in {mailsSeconds:0.0} s, the first after {firstMailSeconds:0.00} s; {connections} SMTP connection(s) over the run)" +
                    $"  processor per mail: host {mailProcessor.HostMs:0.00} ms, PostgreSQL {mailProcessor.PostgresMs:0.00} ms, machine {mailProcessor.MachineMs:0.00} ms");
                if (await scenarios.PendingMailsAsync() != 0)
                    throw new InvalidOperationException("Mails are still pending after the sink received them all.");
            }
            peakMemory = Math.Max(peakMemory, server.PeakResidentBytes);
        }
        log.WriteLine($"Peak resident memory of the server: {peakMemory / 1048576.0:0} MB");
        if (settings.Only is not null)
            return null;

        var report = Report.Write(settings, await MachineFactsAsync(settings.AdminConnectionString), started, results,
            new MailFigures(settings.Mails, mailsSeconds, firstMailSeconds, mailsPerSecond, backlog, backlogSeconds, dispatchedUnderLoad, connections, mailProcessor), peakMemory);
        var path = Path.Combine(settings.ResultsFolder, $"{started:yyyy-MM-dd-HHmm}.md");
        await File.WriteAllTextAsync(path, report);
        await File.WriteAllTextAsync(Path.Combine(settings.ResultsFolder, "latest.md"), report);
        return path;
    }

    /// <summary>A database of the given size: generated afresh, or kept when reuse is asked and it has that size.</summary>
    private static async Task<string> PrepareAsync(BenchSettings settings, string name, int schools, int referrals, TextWriter log, int waiting = 0)
    {
        var target = new NpgsqlConnectionStringBuilder(settings.AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
        await using var admin = new NpgsqlConnection(settings.AdminConnectionString);
        await admin.OpenAsync();
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", admin))
        {
            exists.Parameters.AddWithValue("name", name);
            if (await exists.ExecuteScalarAsync() is not null)
            {
                if (settings.Reuse)
                    await RemoveApiCreationsAsync(target);
                if (settings.Reuse && await CountReferralsAsync(target, "") == (long)(referrals / schools) * schools
                    && await CountReferralsAsync(target, " WHERE stage = 'AwaitingCompany'") >= waiting)
                {
                    log.WriteLine($"Reusing {name} ({referrals} referrals).");
                    await DataGenerator.MigrateAsync(target);
                    return target;
                }
                NpgsqlConnection.ClearAllPools();
                await using var drop = new NpgsqlCommand($"DROP DATABASE {name} WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
        }
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin))
            await create.ExecuteNonQueryAsync();
        log.WriteLine($"Generating {name}: {schools} schools, {referrals} referrals");
        await DataGenerator.RunAsync(target, schools, referrals, log);
        return target;
    }

    /// <summary>
    /// Takes out what an earlier (g) created (its candidates, their referrals and all that hangs on them): the other scenarios
    /// count their rows, and a reused database has the generated size again.
    /// </summary>
    private static async Task RemoveApiCreationsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var referrals = $"SELECT r.id FROM referrals r JOIN candidates c ON c.id = r.candidate_id WHERE c.email LIKE '{Scenarios.ApiCandidateEmails}'";
        string[] statements =
        [
            $"DELETE FROM action_links WHERE referral_id IN ({referrals})",
            $"DELETE FROM webhook_deliveries WHERE referral_id IN ({referrals})",
            $"DELETE FROM outbox_messages WHERE referral_id IN ({referrals})",
            $"DELETE FROM referral_documents WHERE referral_id IN ({referrals})",
            $"DELETE FROM referral_events WHERE referral_id IN ({referrals})",
            $"DELETE FROM referrals WHERE id IN ({referrals})",
            $"DELETE FROM candidates WHERE email LIKE '{Scenarios.ApiCandidateEmails}'",
        ];
        try
        {
            foreach (var sql in statements)
            {
                await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 600 };
                await command.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            // As a generated database is, without the removed rows' dead versions: otherwise autovacuum comes for them while the
            // figures are measured.
            await Scenarios.SettleAsync(connection);
        }
        catch (PostgresException)
        {
            // An older schema (a table missing): the size check below decides.
        }
    }

    private static async Task<long> CountReferralsAsync(string connectionString, string where)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM referrals" + where, connection);
            return (long)(await count.ExecuteScalarAsync())!;
        }
        catch (PostgresException)
        {
            return -1;
        }
    }

    private static async Task WaitAsync(Func<Task<bool>> done, TimeSpan timeout, TimeSpan? poll = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (!await done())
        {
            if (Stopwatch.GetTimestamp() > deadline)
                throw new TimeoutException($"Still waiting after {timeout.TotalMinutes} minutes.");
            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<IReadOnlyList<(string, string)>> MachineFactsAsync(string adminConnectionString)
    {
        static string FirstValue(string path, string key) =>
            File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal))?.Split(':', '=')[1].Trim().Trim('"') ?? "?" : "?";
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync();
        await using var version = new NpgsqlCommand("SHOW server_version", connection);
        var options = DataGenerator.PasserelleOptions(adminConnectionString);
        static int Pool(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).MaxPoolSize;
        var memory = FirstValue("/proc/meminfo", "MemTotal");
        return
        [
            ("CPU", $"{FirstValue("/proc/cpuinfo", "model name")} × {Environment.ProcessorCount} (logical)"),
            ("Memory", memory.EndsWith(" kB", StringComparison.Ordinal)
                ? $"{long.Parse(memory[..^3], CultureInfo.InvariantCulture) / 1048576.0:0.0} GiB" : memory),
            ("OS", $"{FirstValue("/etc/os-release", "PRETTY_NAME")}, Linux {(File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "?")}"),
            (".NET", RuntimeInformation.FrameworkDescription),
            ("PostgreSQL", $"{await version.ExecuteScalarAsync()} (same machine, loopback)"),
            ("Connections to PostgreSQL", $"at most {Pool(options.ConnectionString)} for an instance's pages and {Pool(options.DispatcherConnectionString)} " +
                "for its mail dispatcher, as Passerelle sets them for the connection string it is given; the baselines' host has the pages' pool"),
        ];
    }
}

/// <param name="Backlog">Mails of (d) still queued when its answers stopped (the dispatcher sends fewer at once while
/// requests are served), and the time they took to go out after.</param>
public sealed record MailFigures(int Count, double Seconds, double FirstAfterSeconds, double PerSecond, long Backlog, double BacklogSeconds,
    double PerSecondUnderLoad, int Connections, ProcessorUse Processor);

/// <summary>The markdown report: every figure, the ratios and the targets.</summary>
public static class Report
{
    // The server inherits the driver's environment: its setting, or Passerelle's default.
    private static string UnderLoad() =>
        Environment.GetEnvironmentVariable("Email__ParallelismUnderLoad") ?? new Passerelle.Email.EmailOptions().ParallelismUnderLoad.ToString(CultureInfo.InvariantCulture);

    public static string Write(BenchSettings settings, IReadOnlyList<(string Name, string Value)> machine, DateTimeOffset started,
        IReadOnlyDictionary<string, LoadResult> r, MailFigures mails, long peakMemory)
    {
        var md = new StringBuilder();
        void Line(string text = "") => md.Append(text).Append('\n');
        string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
        string Check(bool met) => met ? "met" : "**missed**";

        Line($"# Passerelle benchmark — {started:dd/MM/yyyy HH'h'mm}");
        Line();
        Line("## Machine");
        Line();
        foreach (var (name, value) in machine)
            Line($"- {name}: {value}");
        Line($"- Driver: C# closed loop (`bench/Passerelle.Bench`), in its own process on the same machine; {settings.Connections} connections unless said, " +
            $"{F(settings.WarmupSeconds, "0")} s warm-up then {F(settings.DurationSeconds, "0")} s measured per figure, every request timed.");
        Line($"- Data: {settings.Referrals:N0} referrals over {settings.Schools} schools (large), {settings.SmallReferrals:N0} over {settings.SmallSchools} (small); " +
            $"bench.contact0 has {DataGenerator.ListedReferrals} referrals in school 0 in both.");
        Line();
        Line("## Figures (large database)");
        Line();
        Line("| figure | conn. | requests | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | failures | processor per request: host / PostgreSQL / machine (ms) |");
        Line("|---|---|---|---|---|---|---|---|---|");
        foreach (var (key, label) in new[]
        {
            ("a.health", "(a) `/health/live`"), ("b.baseline", "(b) baseline: one SQL query, minimal HTML"),
            ("c.list", "(c) company list, signed in"), ("c.list.1", "(c) company list, one connection"),
            ("d.baseline", "(d′) answer baseline: the statements of (d) in its round trips, rolled back, minimal HTML"),
            ("d.answer", "(d) accept with appointment from the mail link (POST)"), ("d.answer.4", "(d) the same, 4 connections"),
            ("b.api.baseline", "(b′) API baseline: the page of (f), one SQL query, minimal JSON"),
            ("f.api.list", "(f) API: list referrals, one page of 50 (`GET /api/v1/referrals`)"),
            ("g.baseline", "(g′) create baseline: the statements of (g) in its round trips, rolled back, minimal JSON"),
            ("g.api.create", "(g) API: create a referral (`POST /api/v1/referrals`)"),
            ("small.b.baseline", "(b) on the small database"), ("small.c.list", "(c) on the small database"), ("small.c.list.1", "(c) small database, one connection"),
        })
        {
            // A figure whose work ran out (the links of (d)) before the window ended says over how long it was measured.
            if (r.TryGetValue(key, out var x))
                Line($"| {label}{(x.Seconds < 0.9 * settings.DurationSeconds ? $" (over {F(x.Seconds, "0.0")} s only: its work ran out)" : "")} | {x.Connections} | {x.Requests:N0} | {F(x.Throughput, "0")} | {F(x.P50)} | {F(x.P95)} | {F(x.P99)} | {x.Failures} | {F(x.Processor.HostMs)} / {F(x.Processor.PostgresMs)} / {F(x.Processor.MachineMs)} |");
        }
        Line($"| (e) dispatcher: {mails.Count:N0} queued mails into the local SMTP sink | | {mails.Count:N0} | **{F(mails.PerSecond, "0")} mails/s** | | | | | |");
        Line();
        Line($"(e): {mails.Count:N0} mails in {F(mails.Seconds, "0.0")} s from the commit that queued them to the last one received (the first arrived after {F(mails.FirstAfterSeconds)} s; " +
            "the queue is announced with `NOTIFY passerelle_outbox`, as a web instance announces the mail it queues).");
        Line($"(e): over the whole run the sink saw {mails.Connections:N0} SMTP connection(s): the dispatcher keeps its connections from one mail to the next. " +
            $"Processor per mail: host {F(mails.Processor.HostMs)} ms, PostgreSQL {F(mails.Processor.PostgresMs)} ms, machine {F(mails.Processor.MachineMs)} ms.");
        Line($"(d): its answers queued two mails each; while they came in, the dispatcher sent {UnderLoad()} at a time " +
            $"(`Email:ParallelismUnderLoad`), **{F(mails.PerSecondUnderLoad, "0")} mails/s** over (d) at {settings.Connections} connections; " +
            $"the {mails.Backlog:N0} still queued when they stopped were out {F(mails.BacklogSeconds, "0.0")} s later.");
        Line("Processor per request: the processor time, during the measured window, of the process that answered (Passerelle, or the baseline's " +
            "host for (b), (b′), (d′) and (g′)), of all PostgreSQL's processes, and of the whole machine (the driver included), divided by the requests " +
            "of the window (from /proc). It holds better than a throughput when other tenants of the machine take its cores.");
        Line($"Server's peak resident memory over the whole run (both databases, VmHWM): **{peakMemory / 1048576.0:0} MB**.");
        Line();

        var (a, b, c, c1, d, d4) = (r["a.health"], r["b.baseline"], r["c.list"], r["c.list.1"], r["d.answer"], r["d.answer.4"]);
        var (sc, sc1) = (r["small.c.list"], r["small.c.list.1"]);
        Line("## Ratios");
        Line();
        Line("| ratio | value | reading |");
        Line("|---|---|---|");
        Line($"| (c)/(b) throughput | {F(c.Throughput / b.Throughput)} | the share of the data path's ceiling the real page reaches |");
        Line($"| (c)/(b) p95 | {F(c.P95 / b.P95)} | |");
        Line($"| (c)/(a) throughput | {F(c.Throughput / a.Throughput)} | the share of the framework's ceiling |");
        Line($"| (c)/(a) p95 | {F(c.P95 / a.P95)} | |");
        if (r.TryGetValue("f.api.list", out var fl) && r.TryGetValue("b.api.baseline", out var bl))
        {
            Line($"| (f)/(b′) throughput | {F(fl.Throughput / bl.Throughput)} | the share of the API page's data-path ceiling the API reaches |");
            Line($"| (f)/(b′) p95 | {F(fl.P95 / bl.P95)} | |");
            Line($"| (f)/(b) throughput | {F(fl.Throughput / b.Throughput)} | the API's page of 50 against the company list's raw-SQL page of 20 |");
        }
        if (r.TryGetValue("d.baseline", out var db))
        {
            Line($"| (d)/(d′) throughput | {F(d.Throughput / db.Throughput)} | the share of the answer's data-path ceiling the real answer reaches |");
            Line($"| (d)/(d′) p95 | {F(d.P95 / db.P95)} | |");
        }
        if (r.TryGetValue("g.api.create", out var gc) && r.TryGetValue("g.baseline", out var gb))
        {
            Line($"| (g)/(g′) throughput | {F(gc.Throughput / gb.Throughput)} | the share of the create's data-path ceiling the API's create reaches |");
            Line($"| (g)/(g′) p95 | {F(gc.P95 / gb.P95)} | |");
        }
        Line($"| (d)/(a) p95 | {F(d.P95 / a.P95)} | |");
        Line($"| (d)/(a) throughput | {F(d.Throughput / a.Throughput)} | |");
        Line($"| (c) 1M / 10k, p50 one connection | {F(c1.P50 / sc1.P50)} | the time of one request, without queueing |");
        Line($"| (c) 1M / 10k, p95 at {settings.Connections} | {F(c.P95 / sc.P95)} | |");
        Line($"| (c) 1M / 10k, throughput at {settings.Connections} | {F(c.Throughput / sc.Throughput)} | |");
        Line();
        Line("## Targets");
        Line();
        Line("| target | measured | |");
        Line("|---|---|---|");
        Line($"| (c) p95 ≤ 25 ms at {settings.Connections} connections | {F(c.P95)} ms | {Check(c.P95 <= 25)} |");
        Line($"| (c) throughput ≥ 35 % of (b) | {F(100 * c.Throughput / b.Throughput, "0")} % | {Check(c.Throughput >= 0.35 * b.Throughput)} |");
        Line($"| (c) at 1M ≤ 1.3 × (c) at 10k (one request's time, p50) | {F(c1.P50 / sc1.P50)} × | {Check(c1.P50 <= 1.3 * sc1.P50)} |");
        Line($"| (d) p95 ≤ 30 ms, at {settings.Connections} connections | {F(d.P95)} ms | {Check(d.P95 <= 30)} |");
        Line($"| (d) p95 ≤ 30 ms, at 4 connections | {F(d4.P95)} ms | {Check(d4.P95 <= 30)} |");
        Line($"| (e) ≥ 1,000 mails/s | {F(mails.PerSecond, "0")} mails/s | {Check(mails.PerSecond >= 1000)} |");
        Line($"| the dispatcher ≥ 150 mails/s while (d) runs at {settings.Connections} connections | {F(mails.PerSecondUnderLoad, "0")} mails/s | {Check(mails.PerSecondUnderLoad >= 150)} |");
        Line($"| (d) p95 ≤ 20 ms at {settings.Connections} connections, the dispatcher sending meanwhile | {F(d.P95)} ms | {Check(d.P95 <= 20)} |");
        if (r.TryGetValue("f.api.list", out var f) && r.TryGetValue("b.api.baseline", out var bApi))
            Line($"| (f) API list throughput ≥ 50 % of its raw-SQL baseline (b′) | {F(100 * f.Throughput / bApi.Throughput, "0")} % | {Check(f.Throughput >= 0.5 * bApi.Throughput)} |");
        if (r.TryGetValue("g.api.create", out var g))
            Line($"| (g) API create p95 ≤ 20 ms at {settings.Connections} connections | {F(g.P95)} ms | {Check(g.P95 <= 20)} |");
        Line($"| server memory < 400 MB through the run | {peakMemory / 1048576.0:0} MB | {Check(peakMemory < 400L * 1024 * 1024)} |");
        Line();
        // What profiling found, kept by the team beside the results and repeated in every report.
        var findings = Path.Combine(settings.ResultsFolder, "..", "findings.md");
        if (File.Exists(findings))
            md.Append(File.ReadAllText(findings));
        return md.ToString();
    }
}
