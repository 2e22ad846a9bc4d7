using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Email;
using Passerelle.Storage;

namespace Passerelle.Referrals;

/// <summary>
/// The one way to answer a referral — from an e-mail link, the company portal or the back-office — and the runner
/// of every workflow transition against the database: load the referral (of the context's school), apply the
/// rule, then save in one transaction the new state, its timeline event, the mails it requires (outbox) and
/// the revocation of the e-mail links whose step just closed. The referral's UPDATE only succeeds if its
/// version is still the one read: of several concurrent transitions on one referral exactly one wins, the
/// others get <see cref="RefusalCode.ChangedMeanwhile"/> and change nothing.
/// </summary>
public sealed class ReferralActions(PasserelleDb db, TimeProvider clock)
{
    /// <summary>
    /// Applies an answer to a referral of the context's school: the referral is resolved for the acting party (a contact or
    /// a candidate sees only their own, anything else is <see cref="RefusalCode.NotFound"/>), the input checked, the
    /// rule applied and everything saved together. A refusal carries its French message and its HTTP status.
    /// </summary>
    public async Task<TransitionResult> AnswerAsync(Guid referralId, Actor actor, Answer answer, int? expectedVersion, CancellationToken ct = default)
    {
        var referral = await db.Referrals.SingleOrDefaultAsync(r => r.Id == referralId, ct);
        return referral is null ? TransitionResult.NotFound() : await AnswerAsync(referral, actor, answer, expectedVersion, ct);
    }

    /// <summary>The same, on a referral this context has just read (an e-mail link's, resolved with its secret).</summary>
    public async Task<TransitionResult> AnswerAsync(Referral referral, Actor actor, Answer answer, int? expectedVersion, CancellationToken ct = default)
    {
        if ((actor.Kind == ActorKind.CompanyContact && referral.ContactId != actor.Id) ||
            (actor.Kind == ActorKind.Candidate && referral.CandidateId != actor.Id))
            return TransitionResult.NotFound();
        if (answer is Answer.Unreadable unreadable)
            return TransitionResult.Refused(RefusalCode.Invalid, unreadable.Problem);
        if (answer is Answer.MeetCandidate)
            return TransitionResult.Refused(RefusalCode.Invalid, "Cette réponse concerne un profil proposé, pas une mise en relation.");
        if (await ReasonProblemAsync(db, answer, ct) is { } problem)
            return TransitionResult.Refused(RefusalCode.Invalid, problem);
        if (actor.Channel == Channel.EmailLink && await AnsweredTooOftenAsync(referral, actor.Id, ct))
            return TransitionResult.Refused(RefusalCode.TooOften,
                "Vous avez déjà répondu plusieurs fois en quelques minutes : patientez un peu avant de changer d'avis de nouveau.");
        return await ApplyAsync(referral, (r, now) => answer.ApplyTo(r, actor, now), expectedVersion, ct);
    }

    /// <summary>
    /// A change of mind is welcome, a flurry of them is not: each answer mails the other parties. Through mail links
    /// a person gives at most <see cref="MaxAnswersPerWindow"/> answers on a referral in <see cref="AnswerWindow"/>.
    /// </summary>
    public const int MaxAnswersPerWindow = 3;

    public static readonly TimeSpan AnswerWindow = TimeSpan.FromMinutes(10);

    private async Task<bool> AnsweredTooOftenAsync(Referral referral, Guid personId, CancellationToken ct)
    {
        var since = clock.GetUtcNow() - AnswerWindow;
        // Every event moves the referral's UpdatedAt to its time (Referral.Record): a referral unchanged since the window
        // began has no answer in it, and most answers are the first in a while. Their timeline is not read then.
        if (referral.UpdatedAt <= since)
            return false;
        return await db.ReferralEvents.CountAsync(
            e => e.ReferralId == referral.Id && e.ActorId == personId && e.Channel == Channel.EmailLink && e.OccurredAt > since, ct) >= MaxAnswersPerWindow;
    }

    /// <summary>A refusal's reason must be one of the school's list (or none): the one check, for referrals and pushed profiles.</summary>
    internal static async Task<string?> ReasonProblemAsync(PasserelleDb db, Answer answer, CancellationToken ct)
    {
        if (answer is not Answer.RefuseCandidate { Reason: var typed } || Answer.Clean(typed) is not { } reason)
            return null;
        var schoolId = db.SchoolId;
        var reasons = (await db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct)).RefusalReasonList;
        return reasons.Contains(reason) ? null : "Choisissez un motif dans la liste, ou aucun.";
    }

    /// <summary>
    /// Applies a transition as it is: the last step of <see cref="AnswerAsync(Referral, Actor, Answer, int?, CancellationToken)"/>,
    /// and the tests' way to set a referral up. Internal: people's answers only come in through AnswerAsync.
    /// </summary>
    /// <param name="expectedVersion">The version the person saw (a form's hidden field): if the referral moved
    /// since, the action is refused as <see cref="RefusalCode.ChangedMeanwhile"/> rather than applied to a state
    /// they did not see.</param>
    internal async Task<TransitionResult> ApplyAsync(
        Guid referralId, Func<Referral, DateTimeOffset, TransitionResult> transition, int? expectedVersion = null, CancellationToken ct = default)
    {
        var referral = await db.Referrals.SingleOrDefaultAsync(r => r.Id == referralId, ct);
        return referral is null ? TransitionResult.NotFound() : await ApplyAsync(referral, transition, expectedVersion, ct);
    }

    /// <summary>The same, on a referral this context has just read (tracked, of its school).</summary>
    internal Task<TransitionResult> ApplyAsync(
        Referral referral, Func<Referral, DateTimeOffset, TransitionResult> transition, int? expectedVersion = null, CancellationToken ct = default) =>
        ApplyAsync(referral, transition, expectedVersion, null, ct);

    /// <summary>
    /// A form sent on a state that has moved: when the state it finds already holds this very answer (the form sent twice, a
    /// double click whose first went through), "Cette réponse est déjà enregistrée." — not "changed by someone else, your action
    /// was not recorded", which would send the person to do it again. Anything else: <see cref="RefusalCode.ChangedMeanwhile"/>.
    /// The transition is only tried: whatever it changed in the referral is read back.
    /// </summary>
    private async Task<TransitionResult> AlreadyDoneOrChangedAsync(Referral referral, Func<Referral, DateTimeOffset, TransitionResult> transition,
        CancellationToken ct)
    {
        var tried = transition(referral, clock.GetUtcNow());
        if (db.Entry(referral).State != EntityState.Unchanged)
            await db.Entry(referral).ReloadAsync(ct);
        return tried.Refusal is { Code: RefusalCode.SameAnswer } ? tried : TransitionResult.ChangedMeanwhile();
    }

    /// <param name="alsoInTransaction">More to write with the transition, in its transaction (given the transition's time).</param>
    private async Task<TransitionResult> ApplyAsync(Referral referral, Func<Referral, DateTimeOffset, TransitionResult> transition, int? expectedVersion,
        Func<DateTimeOffset, CancellationToken, Task<int>>? alsoInTransaction, CancellationToken ct)
    {
        if (db.Entry(referral).State != EntityState.Unchanged || referral.SchoolId != db.SchoolId)
            throw new InvalidOperationException("The referral must have been read, unchanged, by this context opened for its school.");
        if (expectedVersion is { } seen && seen != referral.Version)
            return await AlreadyDoneOrChangedAsync(referral, transition, ct);

        var openBefore = referral.OpenSteps;
        var now = clock.GetUtcNow();
        var result = transition(referral, now);
        if (!result.Succeeded)
            return result;

        db.ReferralEvents.AddRange(result.Events);
        Outbox.Enqueue(db, referral, result, now);
        var held = result.Events.Any(e => e.ActorKind == ActorKind.Candidate || e.OnBehalfOf == Party.Candidate) ? CandidateHold.Hold(db, referral.CandidateId, referral.SchoolId) : null;
        try
        {
            var closed = openBefore.Except(referral.OpenSteps).ToList();
            if (closed.Count == 0 && alsoInTransaction is null)
                return await SaveAsync(result, null, ct);
            return await SaveAsync(result, async ct2 =>
            {
                if (closed.Count > 0)
                    await RevokeLinksAsync(referral.Id, closed, now, ct2);
                if (alsoInTransaction is not null)
                    await alsoInTransaction(now, ct2);
            }, ct);
        }
        finally
        {
            if (held is not null)
                held.State = EntityState.Detached;
        }
    }

    /// <summary>
    /// Creates a referral (state, shared documents, the "proposed" event and the offer mail together). A proposal made also
    /// gives the names its parties go by, read with its checks: what an answer about the new referral shows, without reading
    /// it back.
    /// </summary>
    public async Task<Proposal> ProposeAsync(
        Guid candidateId, Guid jobOfferId, Guid contactId, IReadOnlyCollection<Guid> sharedDocumentIds,
        Actor actor, Guid createdByStaffId, CancellationToken ct = default)
    {
        var schoolId = db.SchoolId ?? throw new InvalidOperationException("Open the context for a school first.");
        var check = await ProposalChecks.For(db)(db, candidateId, jobOfferId, contactId, [.. sharedDocumentIds], ct);
        if (check is not { CandidateExists: true, ContactWorksWithSchool: true } || check.DocumentsOfCandidate != sharedDocumentIds.Distinct().Count())
            return new(null, TransitionResult.NotFound());
        if (check.CompanySwitchedOff)
            return new(null, TransitionResult.Refused(RefusalCode.Invalid, "Cette entreprise est désactivée : ses offres ne reçoivent plus de mises en relation."));
        if (check.ContactSwitchedOff)
            return new(null, TransitionResult.Refused(RefusalCode.Invalid, "Ce contact est désactivé : choisissez un autre contact de l'entreprise."));
        if (check.AlreadyOpen)
            return new(null, TransitionResult.Refused(RefusalCode.Invalid, "Ce candidat est déjà en relation pour cette offre."));

        var now = clock.GetUtcNow();
        var (referral, result) = Referral.Propose(schoolId, candidateId, jobOfferId, check.IsActive, contactId,
            sharedDocumentIds, actor, createdByStaffId, now);
        if (referral is null)
            return new(null, result);

        db.Referrals.Add(referral);
        db.ReferralEvents.AddRange(result.Events);
        Outbox.Enqueue(db, referral, result, now);
        if (!check.SchoolHasWebhookEndpoints)
            db.SchoolWithoutWebhookEndpoints = schoolId;
        result = await SaveAsync(result, null, ct);
        return result.Succeeded
            ? new(referral, result, new ProposalParties(check.CandidateExternalId, check.CandidateLastName!, check.CandidateFirstName!, check.OfferExternalId,
                check.OfferTitle, check.CompanyId, check.CompanyName, check.ContactLastName!, check.ContactFirstName!))
            : new(null, result);
    }

    /// <summary>What a proposal depends on, read together by <see cref="ProposalChecks"/>, and the names of its parties.</summary>
    private sealed record ProposalCheck(bool IsActive, bool CandidateExists, bool ContactWorksWithSchool, bool ContactSwitchedOff,
        bool CompanySwitchedOff, int DocumentsOfCandidate, bool AlreadyOpen, bool SchoolHasWebhookEndpoints,
        string? OfferExternalId, string OfferTitle, Guid CompanyId, string CompanyName,
        string? CandidateExternalId, string? CandidateLastName, string? CandidateFirstName, string? ContactLastName, string? ContactFirstName);

    /// <summary>
    /// Everything a proposal depends on, in one query (one round trip instead of five: creating referrals is the API's busiest
    /// write), compiled once (building it took more of the server than PostgreSQL took to run it). The contact works with
    /// this school and for the offer's company: nobody else receives the candidate's profile. Whether the school has webhook
    /// endpoints comes with it: most have none, and the save need not look again (<see cref="PasserelleDb.SchoolWithoutWebhookEndpoints"/>).
    /// </summary>
    private static readonly CompiledQuery<Func<PasserelleDb, Guid, Guid, Guid, Guid[], CancellationToken, Task<ProposalCheck?>>> ProposalChecks =
        new(() => EF.CompileAsyncQuery((PasserelleDb db, Guid candidateId, Guid jobOfferId, Guid contactId, Guid[] documentIds, CancellationToken ct) =>
            (from o in db.JobOffers.Where(o => o.Id == jobOfferId)
             join company in db.Companies on o.CompanyId equals company.Id
             from candidate in db.Candidates.Where(c => c.Id == candidateId && c.ErasedAt == null).DefaultIfEmpty()
             from contact in db.CompanyContacts.Where(c => c.Id == contactId && c.CompanyId == o.CompanyId
                 && db.SchoolContacts.Any(link => link.ContactId == contactId)).DefaultIfEmpty()
             select new ProposalCheck(
                 o.IsActive,
                 candidate != null,
                 contact != null,
                 db.SchoolContacts.Any(link => link.ContactId == contactId && link.DeactivatedAt != null),
                 db.SchoolCompanies.Any(link => link.CompanyId == o.CompanyId && link.DeactivatedAt != null),
                 db.Documents.Count(d => d.CandidateId == candidateId && documentIds.Contains(d.Id) && d.RemovedAt == null),
                 db.Referrals.Any(r => r.CandidateId == candidateId && r.JobOfferId == jobOfferId && r.CancelledAt == null),
                 db.WebhookEndpoints.Any(e => e.DisabledAt == null),
                 o.ExternalId, o.Title, company.Id, company.Name,
                 candidate.ExternalId, candidate.LastName, candidate.FirstName, contact.LastName, contact.FirstName))
            .FirstOrDefault()));

    /// <summary>
    /// Gives a referral of the context's school to another contact: one of the offer's company, active with this school.
    /// The previous contact's links stop working at once; the new contact gets the candidate's mail with fresh links when
    /// the company's step is open (<see cref="Referral.Reassign"/>).
    /// </summary>
    public async Task<TransitionResult> ReassignAsync(Guid referralId, Guid contactId, Actor actor, int? expectedVersion, CancellationToken ct = default)
    {
        var referral = await db.Referrals.SingleOrDefaultAsync(r => r.Id == referralId, ct);
        if (referral is null)
            return TransitionResult.NotFound();
        var contact = await db.CompanyContacts
            .Where(c => c.Id == contactId
                && db.SchoolContacts.Any(link => link.ContactId == c.Id && link.DeactivatedAt == null)
                && db.JobOffers.Any(o => o.Id == referral.JobOfferId && o.CompanyId == c.CompanyId))
            .Select(c => new { c.LastName, c.FirstName }).SingleOrDefaultAsync(ct);
        if (contact is null)
            return TransitionResult.Refused(RefusalCode.Invalid, "Choisissez un contact actif de l'entreprise de l'offre.");
        var previous = referral.ContactId;
        var name = Schools.PersonName.Display(contact.LastName, contact.FirstName);
        return await ApplyAsync(referral, (r, now) => r.Reassign(contactId, name, actor, now), expectedVersion,
            (now, ct2) => db.ActionLinks
                .Where(l => l.ReferralId == referralId && l.Recipient == Recipient.CompanyContact && l.RecipientId == previous && l.RevokedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(l => l.RevokedAt, now), ct2), ct);
    }

    private async Task RevokeLinksAsync(Guid referralId, List<LinkStep> steps, DateTimeOffset now, CancellationToken ct)
    {
        var links = db.ActionLinks.Where(l => l.ReferralId == referralId && l.RevokedAt == null);
        // An answer closes one step: "step = $1" is planned once per connection, where PostgreSQL has planned "step = ANY($1)"
        // again at nearly every call (bench/findings.md). A cancellation closes several.
        links = steps is [var step] ? links.Where(l => l.Step == step) : links.Where(l => steps.Contains(l.Step));
        await links.ExecuteUpdateAsync(set => set.SetProperty(l => l.RevokedAt, now), ct);
    }

    private async Task<TransitionResult> SaveAsync(TransitionResult result, Func<CancellationToken, Task>? alsoInTransaction, CancellationToken ct)
    {
        try
        {
            if (alsoInTransaction is null)
            {
                await db.SaveChangesAsync(ct);
            }
            else
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                await db.SaveChangesAsync(ct);
                await alsoInTransaction(ct);
                await transaction.CommitAsync(ct);
            }
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return TransitionResult.ChangedMeanwhile();
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            // Same version written twice (the unique (referral_id, sequence) index), or the same candidate
            // referred to the same offer at the same moment (one open referral per candidate and offer).
            db.ChangeTracker.Clear();
            return result.Event!.Kind == ReferralEventKind.Proposed
                ? TransitionResult.Refused(RefusalCode.Invalid, "Ce candidat est déjà en relation pour cette offre.")
                : TransitionResult.ChangedMeanwhile();
        }

        return result;
    }
}

/// <summary>A proposal's outcome: the new referral and the names of its parties when it was made, the refusal otherwise.</summary>
public sealed record Proposal(Referral? Referral, TransitionResult Result, ProposalParties? Parties = null)
{
    public void Deconstruct(out Referral? referral, out TransitionResult result) => (referral, result) = (Referral, Result);
}

/// <summary>The names a new referral's candidate, offer, company and contact go by, as its proposal read them.</summary>
public sealed record ProposalParties(
    string? CandidateExternalId, string CandidateLastName, string CandidateFirstName, string? OfferExternalId, string OfferTitle,
    Guid CompanyId, string CompanyName, string ContactLastName, string ContactFirstName);
