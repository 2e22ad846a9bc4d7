using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Passerelle.Storage;

namespace Passerelle.Referrals;

/// <summary>
/// Runs a workflow transition against the database: load the referral (of the context's school), apply the
/// rule, then save the new state and its timeline event in one transaction whose UPDATE only succeeds if the
/// referral's version is still the one that was read. Of several concurrent transitions on one referral,
/// exactly one wins; the others get <see cref="RefusalCode.ChangedMeanwhile"/> and change nothing.
/// </summary>
public sealed class ReferralActions(PasserelleDb db, TimeProvider clock)
{
    public async Task<TransitionResult> ApplyAsync(
        Guid referralId, Func<Referral, DateTimeOffset, TransitionResult> transition, CancellationToken ct = default)
    {
        var referral = await db.Referrals.SingleOrDefaultAsync(r => r.Id == referralId, ct);
        if (referral is null)
            return TransitionResult.NotFound();

        var result = transition(referral, clock.GetUtcNow());
        if (!result.Succeeded)
            return result;

        db.ReferralEvents.Add(result.Event!);
        // result.Mails join this same transaction as outbox rows once the e-mail machinery lands (issue 3).
        return await SaveAsync(result, ct);
    }

    /// <summary>Creates a referral (state, shared documents and the "proposed" event together).</summary>
    public async Task<(Referral? Referral, TransitionResult Result)> ProposeAsync(
        Guid candidateId, Guid jobOfferId, Guid contactId, IReadOnlyCollection<Guid> sharedDocumentIds,
        Actor actor, Guid createdByStaffId, CancellationToken ct = default)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        var offer = await db.JobOffers.Where(o => o.Id == jobOfferId).Select(o => new { o.IsActive }).SingleOrDefaultAsync(ct);
        var candidateExists = await db.Candidates.AnyAsync(c => c.Id == candidateId, ct);
        var contactWorksWithSchool = await db.SchoolContacts.AnyAsync(l => l.ContactId == contactId, ct);
        var documentsOfCandidate = await db.Documents.CountAsync(d => d.CandidateId == candidateId && sharedDocumentIds.Contains(d.Id), ct);
        if (offer is null || !candidateExists || !contactWorksWithSchool || documentsOfCandidate != sharedDocumentIds.Distinct().Count())
            return (null, TransitionResult.NotFound());

        var (referral, result) = Referral.Propose(schoolId, candidateId, jobOfferId, offer.IsActive, contactId,
            sharedDocumentIds, actor, createdByStaffId, clock.GetUtcNow());
        if (referral is null)
            return (null, result);

        db.Referrals.Add(referral);
        db.ReferralEvents.Add(result.Event!);
        return (referral, await SaveAsync(result, ct));
    }

    private async Task<TransitionResult> SaveAsync(TransitionResult result, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return result;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return TransitionResult.ChangedMeanwhile();
        }
        catch (DbUpdateException e) when (IsUniqueViolation(e))
        {
            // Same version written twice: the unique (referral_id, sequence) index is the second guard.
            db.ChangeTracker.Clear();
            return TransitionResult.ChangedMeanwhile();
        }
    }

    private static bool IsUniqueViolation(DbUpdateException e) => e.InnerException switch
    {
        PostgresException pg => pg.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 2067 or 1555, // UNIQUE, PRIMARY KEY
        _ => false,
    };
}
