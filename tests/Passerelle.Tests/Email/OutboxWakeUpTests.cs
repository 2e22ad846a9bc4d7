using Microsoft.EntityFrameworkCore;
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
        await using var db = Open(database, signal, school.School.Id);

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
        await using var db = Open(database, signal, school.School.Id);

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
        (await signal.WaitAsync(TimeSpan.Zero, default)).ShouldBeFalse();
    }

    private static PasserelleDb Open(TestDatabase database, OutboxSignal signal, Guid schoolId)
    {
        var builder = new DbContextOptionsBuilder<PasserelleDb>();
        PasserelleApp.UseDatabase(builder, database.Options).AddInterceptors(new OutboxWakeUp(signal));
        return new PasserelleDb(builder.Options).ForSchool(schoolId);
    }

    private static OutboxMessage Mail(Guid schoolId) =>
        Outbox.ToAccount(schoolId, TemplateKeys.StaffPasswordReset, Guid.NewGuid(), "personne@example.org", "PERSONNE Test", Seed.Now);
}
