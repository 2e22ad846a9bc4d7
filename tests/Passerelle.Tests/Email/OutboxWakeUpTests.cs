using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Passerelle.Email;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;
using Passerelle.Tests.Infrastructure;

namespace Passerelle.Tests.Email;

/// <summary>The dispatcher is woken by any save that adds mail, once the mail is committed — nobody calls it by hand.</summary>
public class OutboxWakeUpTests
{
    public static TheoryData<DatabaseProvider> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_save_that_adds_mail_wakes_the_dispatcher_and_one_that_adds_none_does_not(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database, "École A");
        using var signal = new OutboxSignal();
        await using var db = database.NewContext(new OutboxWakeUp(signal)).ForSchool(school.School.Id);

        (await db.Candidates.SingleAsync()).Email = "autre@example.org";
        await db.SaveChangesAsync();
        (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeFalse();

        db.OutboxMessages.Add(Mail(school.School.Id));
        await db.SaveChangesAsync();
        (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Mail_saved_in_a_transaction_wakes_the_dispatcher_at_commit_and_never_if_rolled_back(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database, "École A");
        using var signal = new OutboxSignal();
        await using var db = database.NewContext(new OutboxWakeUp(signal)).ForSchool(school.School.Id);

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.OutboxMessages.Add(Mail(school.School.Id));
            await db.SaveChangesAsync();
            (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeFalse("the row is not visible to the dispatcher yet");
            await transaction.CommitAsync();
        }
        (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeTrue();

        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.OutboxMessages.Add(Mail(school.School.Id));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        // Nor does a later transaction that commits no mail.
        db.ChangeTracker.Clear();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            (await db.Candidates.SingleAsync()).Email = "autre@example.org";
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeFalse();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Mail_of_a_transaction_dropped_without_commit_never_wakes_the_dispatcher_later(DatabaseProvider provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var school = await Seed.SchoolAsync(database, "École A");
        using var signal = new OutboxSignal();
        await using var db = database.NewContext(new OutboxWakeUp(signal)).ForSchool(school.School.Id);

        // As ReferralActions does when the save loses a race: the transaction is disposed, neither committed nor rolled back.
        await using (await db.Database.BeginTransactionAsync())
        {
            db.OutboxMessages.Add(Mail(school.School.Id));
            await db.SaveChangesAsync();
        }
        db.ChangeTracker.Clear();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            (await db.Candidates.SingleAsync()).Email = "autre@example.org";
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
        }
        (await db.Candidates.SingleAsync()).Email = "encore@example.org";
        await db.SaveChangesAsync();

        (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeFalse();
        (await db.OutboxMessages.CountAsync()).ShouldBe(0, "the dropped transaction's mail was never committed");
    }

    [Fact]
    public async Task The_app_s_contexts_carry_the_wake_up()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        await using var app = new PasserelleFactory(database);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<PasserelleDb>();

        var core = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()!;
        core.Interceptors!.OfType<OutboxWakeUp>().ShouldHaveSingleItem();
    }

    private static OutboxMessage Mail(Guid schoolId) =>
        Outbox.ToAccount(schoolId, TemplateKeys.StaffPasswordReset, Guid.NewGuid(), "personne@example.org", "PERSONNE Test", Seed.Now);
}
