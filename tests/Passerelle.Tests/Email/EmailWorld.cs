using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>The app on a test database, mailing a real SMTP sink, with a clock the test moves.</summary>
public sealed class EmailWorld : IAsyncDisposable
{
    private EmailWorld(TestDatabase database, SmtpSink sink, PasserelleFactory app, FixedClock clock, SchoolFixture school)
    {
        Database = database;
        Sink = sink;
        App = app;
        Clock = clock;
        School = school;
    }

    public TestDatabase Database { get; }
    public SmtpSink Sink { get; }
    public PasserelleFactory App { get; }
    public FixedClock Clock { get; }
    public SchoolFixture School { get; }
    public OutboxDelivery Delivery => App.Services.GetRequiredService<OutboxDelivery>();

    public static Task<EmailWorld> CreateAsync(DatabaseProvider provider, params (string Key, string Value)[] settings) =>
        CreateAsync(provider, new SmtpSinkOptions(), settings);

    public static Task<EmailWorld> CreateAsync(DatabaseProvider provider, SmtpSinkOptions sinkOptions, params (string Key, string Value)[] settings) =>
        CreateAsync(provider, sinkOptions, null, settings);

    /// <param name="services">More services for the app (an in-memory exporter…).</param>
    public static async Task<EmailWorld> CreateAsync(DatabaseProvider provider, SmtpSinkOptions sinkOptions, Action<IServiceCollection>? services,
        params (string Key, string Value)[] settings)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var sink = await SmtpSink.StartAsync(sinkOptions);
        var clock = new FixedClock(Seed.Now);
        var app = new PasserelleFactory(database, PasserelleFactory.SmtpTo(sink, settings), more =>
        {
            more.AddSingleton<TimeProvider>(clock);
            services?.Invoke(more);
        });
        _ = app.Services; // starts the host
        var school = await Seed.SchoolAsync(database);
        return new EmailWorld(database, sink, app, clock, school);
    }

    public async Task<Guid> ProposeAsync()
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(School.School.Id);
        var (referral, result) = await scope.ServiceProvider.GetRequiredService<ReferralActions>()
            .ProposeAsync(School.Candidate.Id, School.Offer.Id, School.Contact.Id, [School.Document.Id], School.StaffActor(), School.Staff.Id);
        result.Refusal.ShouldBeNull();
        return referral!.Id;
    }

    /// <summary>An admin erases the school's candidate, as the candidate's page does.</summary>
    /// <param name="racing">What the erasure's own context runs at a chosen statement (a race made certain), if anything.</param>
    public async Task<PersonalData.Erased?> EraseCandidateAsync(RaceStep? racing = null)
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(School.School.Id);
        if (racing is null)
            return await scope.ServiceProvider.GetRequiredService<PersonalData.Erasure>()
                .EraseCandidateAsync(School.Candidate.Id, Actor.Staff(Guid.Empty, "test"), null, CancellationToken.None);
        await using var db = Database.NewContext(racing).ForSchool(School.School.Id);
        return await ActivatorUtilities.CreateInstance<PersonalData.Erasure>(scope.ServiceProvider, db)
            .EraseCandidateAsync(School.Candidate.Id, Actor.Staff(Guid.Empty, "test"), null, CancellationToken.None);
    }

    public async Task<TransitionResult> ActAsync(Guid referralId, Func<Referral, DateTimeOffset, TransitionResult> transition)
    {
        await using var scope = App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<PasserelleDb>().ForSchool(School.School.Id);
        var result = await scope.ServiceProvider.GetRequiredService<ReferralActions>().ApplyAsync(referralId, transition);
        result.Refusal.ShouldBeNull();
        return result;
    }

    /// <summary>Runs one dispatcher round; returns how many mails it claimed.</summary>
    public Task<int> DispatchOnceAsync() => Delivery.DispatchOnceAsync(CancellationToken.None);

    /// <summary>Runs dispatcher rounds until the queue has nothing due.</summary>
    public async Task DispatchAllAsync(OutboxDelivery? delivery = null)
    {
        while (await (delivery ?? Delivery).DispatchOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    public async Task<List<T>> QueryAsync<T>(Func<PasserelleDb, IQueryable<T>> query)
    {
        await using var db = Database.NewContext();
        db.ForSchool(School.School.Id);
        return await query(db).ToListAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Sink.DisposeAsync();
        await Database.DisposeAsync();
    }
}
